<?php
/**
 * A small HTTP client for the tests (PHP's curl), with a cookie jar per session.
 *
 * @package SupportProvisioningPortal
 */

/**
 * One HTTP answer.
 */
final class SPP_Http_Response {

	/**
	 * Status.
	 *
	 * @var int
	 */
	public $status;

	/**
	 * Headers: lower-case name → list of values.
	 *
	 * @var array<string,string[]>
	 */
	public $headers;

	/**
	 * Body.
	 *
	 * @var string
	 */
	public $body;

	/**
	 * Constructor.
	 *
	 * @param int                    $status  Status.
	 * @param array<string,string[]> $headers Headers.
	 * @param string                 $body    Body.
	 */
	public function __construct( $status, array $headers, $body ) {
		$this->status  = $status;
		$this->headers = $headers;
		$this->body    = $body;
	}

	/**
	 * One header's (last) value, or null.
	 *
	 * @param string $name Name.
	 * @return string|null
	 */
	public function header( $name ) {
		$values = $this->headers[ strtolower( $name ) ] ?? array();
		return $values ? end( $values ) : null;
	}

	/**
	 * The body as JSON (associative arrays); fails loudly when it is not JSON.
	 *
	 * @return mixed
	 */
	public function json() {
		$data = json_decode( $this->body, true );
		if ( JSON_ERROR_NONE !== json_last_error() ) {
			throw new RuntimeException( "Not JSON (HTTP {$this->status}): " . substr( $this->body, 0, 500 ) );
		}
		return $data;
	}

	/**
	 * Short description for assertion messages.
	 *
	 * @return string
	 */
	public function describe() {
		return "HTTP {$this->status}: " . substr( $this->body, 0, 600 );
	}
}

/**
 * HTTP client with a cookie jar.
 */
final class SPP_Http {

	/**
	 * Cookies: name → value.
	 *
	 * @var array<string,string>
	 */
	public $cookies = array();

	/**
	 * Sends one request (no redirects followed).
	 *
	 * @param string               $method  Method.
	 * @param string               $url     URL.
	 * @param array<string,string> $headers Headers.
	 * @param string|null          $body    Body.
	 * @return SPP_Http_Response
	 */
	public function request( $method, $url, array $headers = array(), $body = null ) {
		$ch   = curl_init( $url );
		$head = array();
		foreach ( $headers as $name => $value ) {
			$head[] = $name . ': ' . $value;
		}
		if ( $this->cookies ) {
			$pairs = array();
			foreach ( $this->cookies as $name => $value ) {
				$pairs[] = $name . '=' . $value;
			}
			$head[] = 'Cookie: ' . implode( '; ', $pairs );
		}
		$received = array();
		curl_setopt_array(
			$ch,
			array(
				CURLOPT_CUSTOMREQUEST  => $method,
				CURLOPT_RETURNTRANSFER => true,
				CURLOPT_FOLLOWLOCATION => false,
				CURLOPT_TIMEOUT        => 120,
				CURLOPT_HTTPHEADER     => $head,
				CURLOPT_HEADERFUNCTION => static function ( $ch, $line ) use ( &$received ) {
					$len = strlen( $line );
					if ( preg_match( '/^HTTP\//', $line ) ) {
						$received = array();
					} elseif ( false !== strpos( $line, ':' ) ) {
						list( $name, $value ) = explode( ':', $line, 2 );
						$received[ strtolower( trim( $name ) ) ][] = trim( $value );
					}
					return $len;
				},
			)
		);
		if ( 'HEAD' === $method ) {
			curl_setopt( $ch, CURLOPT_NOBODY, true );
		}
		if ( null !== $body ) {
			curl_setopt( $ch, CURLOPT_POSTFIELDS, $body );
		}
		$out = curl_exec( $ch );
		if ( false === $out ) {
			$error = curl_error( $ch );
			curl_close( $ch );
			throw new RuntimeException( "$method $url: $error" );
		}
		$status = (int) curl_getinfo( $ch, CURLINFO_RESPONSE_CODE );
		curl_close( $ch );
		foreach ( $received['set-cookie'] ?? array() as $cookie ) {
			list( $pair ) = explode( ';', $cookie, 2 );
			list( $name, $value ) = array_pad( explode( '=', $pair, 2 ), 2, '' );
			if ( 'deleted' === $value || preg_match( '/expires=[^;]*1970/i', $cookie ) ) {
				unset( $this->cookies[ $name ] );
			} else {
				$this->cookies[ $name ] = $value;
			}
		}
		return new SPP_Http_Response( $status, $received, (string) $out );
	}
}
