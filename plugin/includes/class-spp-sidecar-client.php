<?php
/**
 * HTTP client of the sidecar: signs (SPP1), sends with short timeouts, forwards the body byte for byte,
 * and returns status, body and headers. When the sidecar cannot be used (missing configuration,
 * unreachable, timeout) it returns a WP_Error `spp_sidecar_unavailable` with status 503 and a message an
 * administrator can act on; it never lets a PHP warning through.
 *
 * @package SupportProvisioningPortal
 */

defined( 'ABSPATH' ) || exit;

/**
 * Talks to the sidecar.
 */
final class SPP_Sidecar_Client {

	const ERROR_CODE = 'spp_sidecar_unavailable';

	/** Seconds to wait for the TCP connection (the sidecar is on loopback or a private network). */
	const CONNECT_TIMEOUT = 3;

	/** Total seconds per request, by kind of call (filter: spp_sidecar_timeout). */
	const TIMEOUTS = array(
		'health'  => 3,
		'read'    => 8,   // Lists and single objects: the sidecar answers from SQLite.
		'write'   => 15,  // Changes that do not wait for Proxmox.
		'proxmox' => 30,  // Calls that wait for Proxmox (test connection, template list, refresh IPs).
		'long'    => 90,  // Stop (graceful shutdown waits up to 60 s), delete, and prolong (an expired VM is stopped first).
		'sync'    => 20,  // Full user directory sync.
		'export'  => 120, // The audit log as CSV, received into a file as it comes.
	);

	/**
	 * Configuration.
	 *
	 * @var SPP_Config
	 */
	private $config;

	/**
	 * Constructor.
	 *
	 * @param SPP_Config $config Configuration.
	 */
	public function __construct( SPP_Config $config ) {
		$this->config = $config;
	}

	/**
	 * The configuration in use.
	 *
	 * @return SPP_Config
	 */
	public function config() {
		return $this->config;
	}

	/**
	 * Sends one signed request.
	 *
	 * @param string              $method HTTP method.
	 * @param string              $path   Sidecar path starting with /v1/.
	 * @param string              $query  Query without '?', already in canonical form ('' for none).
	 * @param string              $body   Raw body bytes ('' for none); never sent with GET or HEAD.
	 * @param array<string,mixed> $actor  Actor (SPP_Signer::current_actor() or system_actor()).
	 * @param string              $kind   Timeout class (see TIMEOUTS).
	 * @param string|null         $to_file A file the answer's body is written to as it arrives, instead of memory
	 *                                     (the answer's `file`; its `body` is then '').
	 * @return array{status:int,body:string,headers:array<string,string>,file?:string}|WP_Error
	 */
	public function request( $method, $path, $query, $body, array $actor, $kind = 'read', $to_file = null ) {
		if ( ! $this->config->is_valid() ) {
			return $this->config_error();
		}
		$method = strtoupper( $method );
		if ( 'GET' === $method || 'HEAD' === $method ) {
			$body = ''; // WordPress's HTTP API would turn a GET body into query parameters.
		}
		$base   = $this->config->url();
		$prefix = (string) wp_parse_url( $base, PHP_URL_PATH ); // A sidecar behind a path prefix sees the full path.
		$signer = new SPP_Signer( $this->config->key_id(), $this->config->key() );
		$actor_header = SPP_Signer::encode_actor( $actor );
		$headers      = $signer->headers( $method, $prefix . $path, $query, $actor_header, $body );
		$headers['Accept'] = 'application/json';
		if ( '' !== $body ) {
			$headers['Content-Type'] = 'application/json';
		}
		$url     = $base . $path . ( '' === $query ? '' : '?' . $query );
		$timeout = $this->timeout( $kind, $method, $path );
		return $this->send( $url, $method, $headers, $body, $timeout, $to_file );
	}

	/**
	 * GET /healthz (the only unsigned route).
	 *
	 * @return array{status:int,body:string,headers:array<string,string>}|WP_Error
	 */
	public function health() {
		if ( ! SPP_Config::is_valid_url( $this->config->url() ) ) {
			return $this->config_error();
		}
		return $this->send( $this->config->url() . '/healthz', 'GET', array( 'Accept' => 'application/json' ), '', self::TIMEOUTS['health'] );
	}

	/**
	 * The 503 for a configuration that cannot be used, naming the missing or invalid settings.
	 *
	 * @return WP_Error
	 */
	public function config_error() {
		$names = $this->config->problem_names();
		if ( self::show_details() ) {
			$message = sprintf(
				/* translators: %s: what is missing or invalid */
				__( 'The Support Provisioning Portal is not configured: %s', 'support-provisioning-portal' ),
				$this->config->problem_summary()
			);
		} else {
			$message = __( 'The Support Provisioning Portal is not configured yet; please tell your WordPress administrator.', 'support-provisioning-portal' );
		}
		return new WP_Error(
			self::ERROR_CODE,
			$message,
			array(
				'status' => 503,
				'reason' => 'configuration',
			) + ( self::show_details() ? array( 'settings' => $this->config->problems() ) : array() )
		);
	}

	/**
	 * Sends a request through WordPress's HTTP API and normalises the answer.
	 *
	 * @param string               $url     Full URL.
	 * @param string               $method  Method.
	 * @param array<string,string> $headers Headers.
	 * @param string               $body    Body bytes.
	 * @param int                  $timeout Total seconds.
	 * @param string|null          $to_file File to receive the body into, or null for memory.
	 * @return array{status:int,body:string,headers:array<string,string>,file?:string}|WP_Error
	 */
	private function send( $url, $method, array $headers, $body, $timeout, $to_file = null ) {
		$args = array(
			'method'              => $method,
			'headers'             => $headers,
			'timeout'             => $timeout,
			'redirection'         => 0,     // A sidecar never redirects; a redirect would lose the signature.
			'httpversion'         => '1.1',
			'blocking'            => true,
			'decompress'          => true,
			'spp_connect_timeout' => min( self::CONNECT_TIMEOUT, $timeout ),
		);
		if ( '' !== $body ) {
			$args['body'] = $body; // A string is sent as it is: the bytes the signature covers.
		}
		if ( null !== $to_file ) {
			$args['stream']   = true;
			$args['filename'] = $to_file;
		}
		$response = wp_remote_request( $url, $args );
		if ( is_wp_error( $response ) ) {
			return $this->unreachable( $response, $timeout );
		}
		$out = array();
		foreach ( wp_remote_retrieve_headers( $response ) as $name => $value ) {
			$out[ strtolower( (string) $name ) ] = is_array( $value ) ? implode( ', ', $value ) : (string) $value;
		}
		$answer = array(
			'status'  => (int) wp_remote_retrieve_response_code( $response ),
			'body'    => (string) wp_remote_retrieve_body( $response ),
			'headers' => $out,
		);
		if ( null !== $to_file ) {
			$answer['file'] = $to_file;
		}
		return $answer;
	}

	/**
	 * Sets the connect timeout of our own requests (WordPress's HTTP API has only a total timeout).
	 * Hooked to http_api_curl.
	 *
	 * @param resource|\CurlHandle $handle cURL handle.
	 * @param array<string,mixed>  $args   Request arguments.
	 * @return void
	 */
	public static function curl_connect_timeout( $handle, $args ) {
		if ( is_array( $args ) && ! empty( $args['spp_connect_timeout'] ) && defined( 'CURLOPT_CONNECTTIMEOUT' ) ) {
			curl_setopt( $handle, CURLOPT_CONNECTTIMEOUT, (int) $args['spp_connect_timeout'] ); // phpcs:ignore WordPress.WP.AlternativeFunctions.curl_curl_setopt -- the handle WordPress hands us.
		}
	}

	/**
	 * The 503 for a sidecar that did not answer.
	 *
	 * @param WP_Error $error   What the HTTP API said.
	 * @param int      $timeout Seconds waited at most.
	 * @return WP_Error
	 */
	private function unreachable( WP_Error $error, $timeout ) {
		$detail    = $error->get_error_message();
		$timed_out = 1 === preg_match( '/cURL error 28|timed out|timeout/i', $detail );
		self::log_once(
			'unreachable',
			sprintf( 'Support Provisioning Portal: the sidecar at %s did not answer: %s', $this->config->url(), $detail )
		);
		$message = self::show_details()
			? self::unavailable_message( $this->config->url(), $detail, $timed_out, $timeout )
			: __( 'The provisioning service is not reachable right now; please try again in a moment or tell your WordPress administrator.', 'support-provisioning-portal' );
		return new WP_Error(
			self::ERROR_CODE,
			$message,
			array(
				'status' => 503,
				'reason' => $timed_out ? 'timeout' : 'unreachable',
			)
		);
	}

	/**
	 * The administrator's message for an unreachable sidecar or a timeout.
	 *
	 * @param string $url       Sidecar URL.
	 * @param string $detail    The HTTP API's error message.
	 * @param bool   $timed_out Whether it was a timeout.
	 * @param int    $timeout   Seconds waited.
	 * @return string
	 */
	public static function unavailable_message( $url, $detail, $timed_out, $timeout ) {
		$detail = rtrim( trim( (string) $detail ), '.' );
		if ( $timed_out ) {
			return sprintf(
				/* translators: 1: sidecar URL, 2: seconds, 3: error detail */
				__( 'The provisioning service at %1$s did not answer within %2$d s: %3$s; the action may still be running there: reload to see its state, and check the sidecar (its log) or SPP_SIDECAR_URL.', 'support-provisioning-portal' ),
				$url,
				(int) $timeout,
				$detail
			);
		}
		return sprintf(
			/* translators: 1: sidecar URL, 2: error detail */
			__( 'The provisioning service at %1$s is not reachable: %2$s; start it or check SPP_SIDECAR_URL in wp-config.php.', 'support-provisioning-portal' ),
			$url,
			$detail
		);
	}

	/**
	 * Whether the current user may see the sidecar's address and setting names in error messages
	 * (administrators, and WordPress's own calls); others get a sentence without internals.
	 *
	 * @return bool
	 */
	public static function show_details() {
		if ( ! function_exists( 'is_user_logged_in' ) || ! is_user_logged_in() ) {
			return true; // WordPress's own calls (cron, activation, CLI): the message goes to the log or an admin screen.
		}
		return current_user_can( 'manage_options' );
	}

	/**
	 * Writes a line to the PHP error log at most once per 10 minutes per topic (a stopped sidecar must not
	 * flood the log).
	 *
	 * @param string $topic   Topic.
	 * @param string $message Line.
	 * @return void
	 */
	public static function log_once( $topic, $message ) {
		$key = 'spp_logged_' . $topic;
		if ( get_transient( $key ) ) {
			return;
		}
		set_transient( $key, 1, 10 * MINUTE_IN_SECONDS );
		error_log( $message ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log -- the administrator's log.
	}

	/**
	 * Total timeout in seconds for one call.
	 *
	 * @param string $kind   Timeout class.
	 * @param string $method Method.
	 * @param string $path   Sidecar path.
	 * @return int
	 */
	private function timeout( $kind, $method, $path ) {
		$seconds = self::TIMEOUTS[ $kind ] ?? self::TIMEOUTS['read'];
		/**
		 * Filters the total timeout (seconds) of one sidecar call.
		 *
		 * @param int    $seconds Timeout.
		 * @param string $kind    'read', 'write', 'proxmox', 'long', 'sync' or 'export'.
		 * @param string $method  HTTP method.
		 * @param string $path    Sidecar path (/v1/...).
		 */
		return max( 1, (int) apply_filters( 'spp_sidecar_timeout', $seconds, $kind, $method, $path ) );
	}
}
