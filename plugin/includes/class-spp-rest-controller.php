<?php
/**
 * The REST routes of api.md under /wp-json/support-provisioning/v1/, each forwarded to the sidecar's
 * /v1/<same path>, signed as the logged-in WordPress user.
 *
 * WordPress checks one thing: that somebody is logged in (cookie + X-WP-Nonce from the UI, Application
 * Passwords from scripts). Every other decision (rights, validation, existence) is the sidecar's, and its
 * answer — status, JSON body (error envelopes included), paging headers, Location, Retry-After, CSV —
 * reaches the caller unchanged. The /directory routes are not exposed: only WordPress itself calls them.
 *
 * @package SupportProvisioningPortal
 */

defined( 'ABSPATH' ) || exit;

/**
 * Registers and forwards the portal's REST routes.
 */
final class SPP_Rest_Controller {

	const REST_NAMESPACE = 'support-provisioning/v1';

	/** WordPress's own query parameters: used by WordPress, never forwarded. */
	const WP_QUERY_PARAMS = array( 'rest_route', '_locale', '_envelope', '_fields', '_embed', '_method', '_wpnonce', '_jsonp' );

	/** Sidecar response headers relayed to the caller. */
	const RELAYED_HEADERS = array(
		'x-wp-total'          => 'X-WP-Total',
		'x-wp-totalpages'     => 'X-WP-TotalPages',
		'retry-after'         => 'Retry-After',
		'location'            => 'Location',
		'content-disposition' => 'Content-Disposition',
	);

	/**
	 * Sidecar client.
	 *
	 * @var SPP_Sidecar_Client
	 */
	private $client;

	/**
	 * Constructor.
	 *
	 * @param SPP_Sidecar_Client $client Client.
	 */
	public function __construct( SPP_Sidecar_Client $client ) {
		$this->client = $client;
	}

	/**
	 * Every route WordPress forwards: route (WordPress regex), method, operation name and timeout class,
	 * from the contract's one route table (generated-routes.php, written by `npm run generate:php`).
	 *
	 * @return array<int,array{0:string,1:string,2:string,3:string}>
	 */
	public static function operations() {
		static $operations = null;
		if ( null === $operations ) {
			$operations = require __DIR__ . '/generated-routes.php';
		}
		return $operations;
	}

	/**
	 * Registers every route (hooked to rest_api_init).
	 *
	 * @return void
	 */
	public function register_routes() {
		$by_route = array();
		foreach ( self::operations() as list( $route, $method, , $kind ) ) {
			$by_route[ $route ][] = array(
				'methods'             => $method,
				'callback'            => function ( WP_REST_Request $request ) use ( $route, $kind ) {
					return $this->forward( $request, $route, $kind );
				},
				'permission_callback' => array( $this, 'permissions_check' ),
				'args'                => array(),
			);
		}
		foreach ( $by_route as $route => $endpoints ) {
			register_rest_route( self::REST_NAMESPACE, $route, $endpoints );
		}
	}

	/**
	 * The permission callback of every route, and the one thing WordPress decides: somebody is logged
	 * in. The sidecar decides the right (its 403 reaches the caller unchanged).
	 *
	 * @param WP_REST_Request $request Request.
	 * @return true|WP_Error
	 */
	public function permissions_check( $request ) {
		unset( $request );
		if ( is_user_logged_in() ) {
			return true;
		}
		return new WP_Error(
			'rest_not_logged_in',
			__( 'You are not currently logged in.', 'support-provisioning-portal' ),
			array( 'status' => 401 )
		);
	}

	/**
	 * Forwards one request to the sidecar and relays its answer.
	 *
	 * @param WP_REST_Request $request Request.
	 * @param string          $route   Route pattern of the operation.
	 * @param string          $kind    Timeout class.
	 * @return WP_REST_Response|WP_Error
	 */
	public function forward( WP_REST_Request $request, $route, $kind ) {
		$actor = SPP_Signer::current_actor();
		if ( null === $actor ) {
			return $this->permissions_check( $request );
		}
		$body    = (string) $request->get_body();
		$refusal = self::body_refusal( $body );
		if ( null !== $refusal ) {
			return $refusal;
		}
		$path   = '/v1' . self::fill_route( $route, $request->get_url_params() );
		$query  = self::forward_query( $request->get_query_params() );
		$method = $request->get_method();
		$to_file = null;
		if ( 'csv' === $request->get_param( 'format' ) ) {
			// A download (the audit log as CSV) is received into a file, not memory: it can be the whole log.
			$to_file = self::download_file();
			if ( is_wp_error( $to_file ) ) {
				return $to_file;
			}
			$kind = 'export';
		}
		$answer = $this->client->request( $method, $path, $query, $body, $actor, $kind, $to_file );
		if ( is_wp_error( $answer ) ) {
			// No answer (not configured, unreachable): the file made for it goes too.
			if ( null !== $to_file && is_file( $to_file ) ) {
				wp_delete_file( $to_file );
			}
			return $answer;
		}
		$answer = self::settle_download( $answer );
		if ( 401 === $answer['status'] ) {
			// The sidecar refused the signature: the key or the clock of this site is wrong.
			SPP_Sidecar_Client::log_once( 'signature', sprintf( 'Support Provisioning Portal: the sidecar refused the signature of %s %s: %s', $method, $path, substr( $answer['body'], 0, 300 ) ) );
		}
		return $this->relay( $answer, isset( $request['_fields'] ) || isset( $request['_embed'] ) );
	}

	/**
	 * Why a body is not forwarded, as the sidecar's own 400 envelope would say it; null to forward it.
	 * Only JSON within MAX_BODY_BYTES and MAX_BODY_DEPTH goes on (whatever its Content-Type: WordPress
	 * parses only application/json itself), so no logged-in user can make the sidecar read megabytes or
	 * parse deep nesting before it has checked a single right. The bytes forwarded are the bytes received.
	 *
	 * @param string $body Raw request body.
	 * @return WP_Error|null
	 */
	public static function body_refusal( $body ) {
		if ( '' === $body ) {
			return null;
		}
		if ( strlen( $body ) > SPP_Contract::MAX_BODY_BYTES ) {
			$message = __( 'The request body is too large.', 'support-provisioning-portal' );
			$param   = __( 'Too large.', 'support-provisioning-portal' );
		} else {
			// PHP counts the value inside the innermost array or object as one more level.
			json_decode( $body, false, SPP_Contract::MAX_BODY_DEPTH + 1 );
			$error = json_last_error();
			if ( JSON_ERROR_NONE === $error ) {
				return null;
			}
			$deep    = JSON_ERROR_DEPTH === $error;
			$message = $deep ? __( 'The request body is nested too deeply.', 'support-provisioning-portal' ) : __( 'The request body is not valid JSON.', 'support-provisioning-portal' );
			$param   = $deep ? __( 'Nested too deeply.', 'support-provisioning-portal' ) : __( 'Not valid JSON.', 'support-provisioning-portal' );
		}
		return new WP_Error(
			'spp_invalid_param',
			$message,
			array(
				'status' => 400,
				'params' => array( 'body' => $param ),
			)
		);
	}

	/**
	 * A new temporary file for a download, or the 500 that says where none could be made.
	 *
	 * @return string|WP_Error
	 */
	private static function download_file() {
		$file = tempnam( get_temp_dir(), 'spp-download-' );
		if ( false !== $file ) {
			return $file;
		}
		return new WP_Error(
			SPP_Sidecar_Client::ERROR_CODE,
			SPP_Sidecar_Client::show_details()
				/* translators: %s: folder */
				? sprintf( __( 'WordPress cannot create a temporary file in %s for the download; check that the folder exists and PHP may write to it (WP_TEMP_DIR).', 'support-provisioning-portal' ), get_temp_dir() )
				: __( 'The download cannot be prepared right now; please tell your WordPress administrator.', 'support-provisioning-portal' ),
			array(
				'status' => 500,
				'reason' => 'temp_file',
			)
		);
	}

	/**
	 * A download's answer as relay() takes it: a CSV stays in its file; anything else (the JSON envelope
	 * of a refusal) is read back, at most MAX_BODY_BYTES of it, and the file is removed.
	 *
	 * @param array{status:int,body:string,headers:array<string,string>,file?:string} $answer Sidecar answer.
	 * @return array{status:int,body:string,headers:array<string,string>,file?:string}
	 */
	public static function settle_download( array $answer ) {
		if ( ! isset( $answer['file'] ) ) {
			return $answer;
		}
		$type = strtolower( $answer['headers']['content-type'] ?? '' );
		if ( 0 === strpos( $type, 'text/csv' ) && $answer['status'] < 300 ) {
			return $answer;
		}
		$answer['body'] = (string) file_get_contents( $answer['file'], false, null, 0, SPP_Contract::MAX_BODY_BYTES ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_get_contents_file_get_contents -- a local temporary file.
		wp_delete_file( $answer['file'] );
		unset( $answer['file'] );
		return $answer;
	}

	/**
	 * Turns the sidecar's answer into the REST response.
	 *
	 * @param array{status:int,body:string,headers:array<string,string>,file?:string} $answer   Sidecar answer (a download's in its file).
	 * @param bool                                                                    $as_array Decode objects to arrays (for _fields/_embed).
	 * @return WP_REST_Response|WP_Error
	 */
	private function relay( array $answer, $as_array ) {
		$status  = $answer['status'];
		$type    = strtolower( $answer['headers']['content-type'] ?? '' );
		$is_json = '' === $type || false !== strpos( $type, 'json' );

		if ( isset( $answer['file'] ) ) {
			// A download (settle_download kept only a CSV in its file): the bytes as they are.
			$response = new SPP_Raw_Response( $answer['file'], $status );
			$response->header( 'Content-Type', $answer['headers']['content-type'] );
		} elseif ( '' === $answer['body'] ) {
			$response = new WP_REST_Response( null, $status );
		} else {
			$decoded = json_decode( $answer['body'], $as_array );
			if ( JSON_ERROR_NONE !== json_last_error() || ! $is_json ) {
				return new WP_Error(
					SPP_Sidecar_Client::ERROR_CODE,
					SPP_Sidecar_Client::show_details()
						? sprintf(
							/* translators: 1: sidecar URL, 2: HTTP status, 3: content type */
							__( 'The provisioning service at %1$s answered HTTP %2$d with something that is not JSON (%3$s); check that SPP_SIDECAR_URL points to the sidecar itself.', 'support-provisioning-portal' ),
							$this->client->config()->url(),
							$status,
							'' === $type ? 'no content type' : $type
						)
						: __( 'The provisioning service gave an answer WordPress cannot read; please tell your WordPress administrator.', 'support-provisioning-portal' ),
					array(
						'status' => 503,
						'reason' => 'bad_response',
					)
				);
			}
			$response = new WP_REST_Response( $as_array ? $decoded : self::json_for_wp( $decoded ), $status );
		}

		foreach ( self::RELAYED_HEADERS as $lower => $name ) {
			if ( ! isset( $answer['headers'][ $lower ] ) ) {
				continue;
			}
			$value = $answer['headers'][ $lower ];
			if ( 'location' === $lower ) {
				$value = self::rewrite_location( $value, rest_url( self::REST_NAMESPACE ) );
			}
			if ( 'content-disposition' === $lower && ! $response instanceof SPP_Raw_Response ) {
				continue;
			}
			$response->header( $name, $value );
		}
		return $response;
	}

	/**
	 * A route pattern with its URL parameters filled in: /deployments/(?P<id>\d+) → /deployments/12.
	 *
	 * @param string               $route  Route pattern.
	 * @param array<string,string> $params URL parameters.
	 * @return string
	 */
	public static function fill_route( $route, array $params ) {
		return (string) preg_replace_callback(
			'/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>[^)]*\)/',
			static function ( $m ) use ( $params ) {
				return rawurlencode( (string) ( $params[ $m[1] ] ?? '' ) );
			},
			$route
		);
	}

	/**
	 * The query to forward: WordPress's own parameters removed, the rest in canonical SPP1 form (so the
	 * query as sent is the one signed). A list (a[]=1&a[]=2) is sent as repeated keys, nested keys as a[b].
	 *
	 * @param array<string,mixed> $params Query parameters as WordPress parsed them.
	 * @return string
	 */
	public static function forward_query( array $params ) {
		$pairs = array();
		foreach ( $params as $key => $value ) {
			if ( in_array( (string) $key, self::WP_QUERY_PARAMS, true ) ) {
				continue;
			}
			self::flatten( (string) $key, $value, $pairs );
		}
		return SPP_Signer::build_query( $pairs );
	}

	/**
	 * Flattens one parameter into decoded key/value pairs.
	 *
	 * @param string                              $key   Key.
	 * @param mixed                               $value Value.
	 * @param array<int,array{0:string,1:string}> $pairs Out.
	 * @return void
	 */
	private static function flatten( $key, $value, array &$pairs ) {
		if ( is_array( $value ) ) {
			$is_list = array_keys( $value ) === range( 0, count( $value ) - 1 );
			foreach ( $value as $sub => $item ) {
				self::flatten( $is_list ? $key : $key . '[' . $sub . ']', $item, $pairs );
			}
			return;
		}
		if ( is_bool( $value ) ) {
			$value = $value ? 'true' : 'false';
		}
		if ( null === $value || is_scalar( $value ) ) {
			$pairs[] = array( $key, (string) $value );
		}
	}

	/**
	 * JSON decoded with objects (json_decode( $body )) turned into what WordPress's REST server encodes
	 * back to the same JSON: objects become associative arrays, except an empty object or one whose keys
	 * are 0..n-1, which stay objects (an array would become [] / a list).
	 *
	 * @param mixed $value Decoded JSON.
	 * @return mixed
	 */
	public static function json_for_wp( $value ) {
		if ( is_array( $value ) ) {
			return array_map( array( __CLASS__, 'json_for_wp' ), $value );
		}
		if ( $value instanceof stdClass ) {
			$props = get_object_vars( $value );
			$keys  = array_keys( $props );
			if ( array() === $props || $keys === range( 0, count( $props ) - 1 ) ) {
				foreach ( $props as $k => $v ) {
					$value->$k = self::json_for_wp( $v );
				}
				return $value;
			}
			return array_map( array( __CLASS__, 'json_for_wp' ), $props );
		}
		return $value;
	}

	/**
	 * The sidecar's Location (/v1/<path>, or an absolute URL of the sidecar) as the browser-facing REST URL.
	 *
	 * @param string $location  Sidecar Location header.
	 * @param string $rest_base rest_url( 'support-provisioning/v1' ).
	 * @return string
	 */
	public static function rewrite_location( $location, $rest_base ) {
		$path = (string) preg_replace( '#^https?://[^/]+#i', '', $location );
		if ( 1 === preg_match( '#^/v1(/.*)?$#', $path, $m ) ) {
			return rtrim( $rest_base, '/' ) . ( $m[1] ?? '' );
		}
		return $location;
	}
}
