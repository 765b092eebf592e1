<?php
/**
 * Base of the integration tests: logins (cookie + nonce like the UI, an Application Password like a
 * script), REST calls to the portal's routes, and direct signed calls to the sidecar for comparison.
 *
 * @package SupportProvisioningPortal
 */

use PHPUnit\Framework\TestCase;

/**
 * Integration test base.
 */
abstract class SPP_Integration_Test_Case extends TestCase {

	const NS = '/wp-json/support-provisioning/v1';

	/**
	 * Logged-in sessions by login: [http, nonce].
	 *
	 * @var array<string,array{0:SPP_Http,1:string}>
	 */
	private static $sessions = array();

	/**
	 * The admin's Application Password created for this run: [uuid, password].
	 *
	 * @var array{0:string,1:string}|null
	 */
	private static $app_password = null;

	/**
	 * The wp-env state (env.json).
	 *
	 * @return array<string,mixed>
	 */
	protected static function env() {
		return $GLOBALS['spp_test_env'];
	}

	/**
	 * A demo user of env.json by login (admin included): login, password, email, id.
	 *
	 * @param string $login Login.
	 * @return array<string,mixed>
	 */
	protected static function user( $login ) {
		$env = self::env();
		if ( $env['admin']['login'] === $login ) {
			return $env['admin'];
		}
		foreach ( $env['users'] as $user ) {
			if ( $user['login'] === $login ) {
				return $user;
			}
		}
		throw new RuntimeException( "no user $login in env.json" );
	}

	/**
	 * Full URL of a site path.
	 *
	 * @param string $path Path.
	 * @return string
	 */
	protected static function url( $path ) {
		return rtrim( self::env()['url'], '/' ) . $path;
	}

	/**
	 * A cookie session of a user (wp-login.php), with the REST nonce (admin-ajax.php?action=rest-nonce),
	 * as the portal's UI has it.
	 *
	 * @param string $login Login.
	 * @return array{0:SPP_Http,1:string}
	 */
	protected static function session( $login ) {
		if ( isset( self::$sessions[ $login ] ) ) {
			return self::$sessions[ $login ];
		}
		$user = self::user( $login );
		$http = new SPP_Http();
		$http->cookies['wordpress_test_cookie'] = 'WP%20Cookie%20check';
		$res  = $http->request(
			'POST',
			self::url( '/wp-login.php' ),
			array( 'Content-Type' => 'application/x-www-form-urlencoded' ),
			http_build_query(
				array(
					'log'         => $login,
					'pwd'         => $user['password'],
					'testcookie'  => '1',
					'redirect_to' => self::url( '/wp-admin/' ),
				)
			)
		);
		if ( 302 !== $res->status ) {
			throw new RuntimeException( "login of $login failed: " . $res->describe() );
		}
		$nonce = trim( $http->request( 'GET', self::url( '/wp-admin/admin-ajax.php?action=rest-nonce' ) )->body );
		if ( ! preg_match( '/^[0-9a-f]{10}$/', $nonce ) ) {
			throw new RuntimeException( "no REST nonce for $login: $nonce" );
		}
		self::$sessions[ $login ] = array( $http, $nonce );
		return self::$sessions[ $login ];
	}

	/**
	 * A portal REST call as the UI makes it: login cookie + X-WP-Nonce.
	 *
	 * @param string     $login  Login.
	 * @param string     $method Method.
	 * @param string     $path   Path below the namespace, with query.
	 * @param mixed|null $body   Body (encoded as JSON unless a string).
	 * @return SPP_Http_Response
	 */
	protected static function as_browser( $login, $method, $path, $body = null ) {
		list( $http, $nonce ) = self::session( $login );
		$headers = array( 'X-WP-Nonce' => $nonce );
		return $http->request( $method, self::url( self::NS . $path ), $headers + self::body_headers( $body ), self::encode( $body ) );
	}

	/**
	 * The admin's Application Password for this run, created over REST with the admin's cookie and nonce
	 * (POST /wp/v2/users/me/application-passwords), deleted at the end.
	 *
	 * @return array{0:string,1:string} [uuid, password]
	 */
	protected static function app_password() {
		if ( null === self::$app_password ) {
			list( $http, $nonce ) = self::session( 'admin' );
			$res = $http->request(
				'POST',
				self::url( '/wp-json/wp/v2/users/me/application-passwords' ),
				array(
					'X-WP-Nonce'   => $nonce,
					'Content-Type' => 'application/json',
				),
				json_encode( array( 'name' => 'spp integration tests ' . gmdate( 'c' ) ) )
			);
			if ( 201 !== $res->status ) {
				throw new RuntimeException( 'could not create an Application Password: ' . $res->describe() );
			}
			$created            = $res->json();
			self::$app_password = array( $created['uuid'], $created['password'] );
		}
		return self::$app_password;
	}

	/**
	 * A REST call (any path of the site) with the admin's Application Password (Basic auth), as a script.
	 *
	 * @param string     $method Method.
	 * @param string     $path   Site path (e.g. /wp-json/...).
	 * @param mixed|null $body   Body.
	 * @return SPP_Http_Response
	 */
	protected static function as_script( $method, $path, $body = null ) {
		list( , $password ) = self::app_password();
		$headers = array( 'Authorization' => 'Basic ' . base64_encode( 'admin:' . $password ) );
		return ( new SPP_Http() )->request( $method, self::url( $path ), $headers + self::body_headers( $body ), self::encode( $body ) );
	}

	/**
	 * A portal REST call with the admin's Application Password.
	 *
	 * @param string     $method Method.
	 * @param string     $path   Path below the namespace.
	 * @param mixed|null $body   Body.
	 * @return SPP_Http_Response
	 */
	protected static function as_admin( $method, $path, $body = null ) {
		return self::as_script( $method, self::NS . $path, $body );
	}

	/**
	 * A portal REST call without any login.
	 *
	 * @param string     $method Method.
	 * @param string     $path   Path below the namespace.
	 * @param mixed|null $body   Body.
	 * @return SPP_Http_Response
	 */
	protected static function anonymous( $method, $path, $body = null ) {
		return ( new SPP_Http() )->request( $method, self::url( self::NS . $path ), self::body_headers( $body ), self::encode( $body ) );
	}

	/**
	 * A signed call straight to the sidecar, bypassing WordPress (what WordPress must relay unchanged).
	 *
	 * @param string              $method Method.
	 * @param string              $path   /v1/...
	 * @param array<string,mixed> $actor  Actor.
	 * @param string              $body   Body.
	 * @return SPP_Http_Response
	 */
	protected static function sidecar_direct( $method, $path, array $actor, $body = '' ) {
		$signer  = new SPP_Signer( getenv( 'SPP_TEST_KEY_ID' ), hex2bin( (string) getenv( 'SPP_TEST_KEY' ) ) );
		$header  = SPP_Signer::encode_actor( $actor );
		$headers = $signer->headers( $method, $path, '', $header, $body );
		return ( new SPP_Http() )->request( $method, rtrim( (string) getenv( 'SPP_TEST_SIDECAR_URL' ), '/' ) . $path, $headers, '' === $body ? null : $body );
	}

	/**
	 * Whether the sidecar answers /healthz.
	 *
	 * @return bool
	 */
	protected static function sidecar_is_up() {
		try {
			return 200 === ( new SPP_Http() )->request( 'GET', rtrim( (string) getenv( 'SPP_TEST_SIDECAR_URL' ), '/' ) . '/healthz' )->status;
		} catch ( RuntimeException $e ) {
			return false;
		}
	}

	/**
	 * Asserts a body carries no PHP warning, notice or error text.
	 *
	 * @param string $body Body.
	 * @return void
	 */
	protected function assertNoPhpNoise( $body ) {
		$this->assertDoesNotMatchRegularExpression( '/(Warning|Notice|Deprecated|Fatal error|Parse error)\s*:|<b>|Stack trace/', $body );
	}

	/**
	 * Asserts the site's PHP logs (debug.log, php-errors.log) hold no warning, notice or fatal error that
	 * names a file of the plugin (also "output started at <plugin file>").
	 *
	 * @return void
	 */
	protected function assertNoPluginWarningsLogged() {
		$logs  = self::env()['logs'];
		$found = array();
		foreach ( array( 'debug.log', 'php-errors.log' ) as $file ) {
			$text = is_readable( "$logs/$file" ) ? (string) file_get_contents( "$logs/$file" ) : '';
			foreach ( explode( "\n", $text ) as $line ) {
				if ( preg_match( '/PHP (Warning|Notice|Fatal error|Parse error|Deprecated)/', $line ) && false !== strpos( $line, dirname( SPP_PLUGIN_FILE ) ) ) {
					$found[] = "$file: $line";
				}
			}
		}
		$this->assertSame( array(), $found );
	}

	/**
	 * Asserts a JSON error envelope: exactly code, message and data with the status.
	 *
	 * @param SPP_Http_Response $res    Response.
	 * @param int               $status Status.
	 * @param string            $code   Code.
	 * @return array<string,mixed> The envelope.
	 */
	protected function assertEnvelope( SPP_Http_Response $res, $status, $code ) {
		$this->assertSame( $status, $res->status, $res->describe() );
		$this->assertStringStartsWith( 'application/json', (string) $res->header( 'content-type' ) );
		$body = $res->json();
		$this->assertSame( $code, $body['code'] ?? null, $res->describe() );
		$this->assertIsString( $body['message'] );
		$this->assertSame( $status, $body['data']['status'] ?? null );
		return $body;
	}

	/**
	 * Ends the run: deletes the Application Password.
	 *
	 * @return void
	 */
	public static function clean_up() {
		if ( null === self::$app_password ) {
			return;
		}
		list( $uuid ) = self::$app_password;
		try {
			self::as_script( 'DELETE', '/wp-json/wp/v2/users/me/application-passwords/' . $uuid );
		} catch ( Throwable $e ) {
			fwrite( STDERR, 'could not delete the test Application Password: ' . $e->getMessage() . "\n" );
		}
		self::$app_password = null;
	}

	/**
	 * Headers for a body.
	 *
	 * @param mixed $body Body.
	 * @return array<string,string>
	 */
	private static function body_headers( $body ) {
		return null === $body ? array() : array( 'Content-Type' => 'application/json' );
	}

	/**
	 * A body as sent.
	 *
	 * @param mixed $body Body.
	 * @return string|null
	 */
	private static function encode( $body ) {
		if ( null === $body || is_string( $body ) ) {
			return $body;
		}
		return json_encode( $body, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE );
	}

	/**
	 * Data provider: every REST operation of the plugin, with concrete ids.
	 *
	 * @return array<string,array{0:string,1:string}>
	 */
	public function operations(): array {
		$out = array();
		foreach ( SPP_Rest_Controller::operations() as list( $route, $method ) ) {
			$path                   = SPP_Rest_Controller::fill_route( $route, array( 'id' => '1', 'user_id' => '2' ) );
			$out[ "$method $path" ] = array( $method, $path );
		}
		return $out;
	}
}
