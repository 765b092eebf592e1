<?php
/**
 * Configuration: constants first, then the environment; exactly which setting is missing or invalid.
 *
 * @package SupportProvisioningPortal
 */

use PHPUnit\Framework\TestCase;

/**
 * Config tests.
 */
final class ConfigTest extends TestCase {

	const KEY = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';

	/**
	 * A configuration from a constant table and an environment table.
	 *
	 * @param array<string,mixed>  $constants Constants.
	 * @param array<string,string> $env       Environment.
	 * @return SPP_Config
	 */
	private function config( array $constants, array $env = array() ): SPP_Config {
		return SPP_Config::from_sources(
			static function ( $name ) use ( $constants ) {
				return $constants[ $name ] ?? null;
			},
			static function ( $name ) use ( $env ) {
				return $env[ $name ] ?? null;
			}
		);
	}

	public function test_complete_configuration(): void {
		$c = $this->config(
			array(
				'SPP_SIDECAR_URL'    => 'http://10.0.0.5:9000/',
				'SPP_SIDECAR_KEY_ID' => 'k2',
				'SPP_SIDECAR_KEY'    => strtoupper( self::KEY ),
			)
		);
		$this->assertTrue( $c->is_valid() );
		$this->assertSame( array(), $c->problems() );
		$this->assertSame( 'http://10.0.0.5:9000', $c->url() );
		$this->assertSame( 'k2', $c->key_id() );
		$this->assertSame( hex2bin( self::KEY ), $c->key() );
		$this->assertSame( 'constant', $c->source( 'SPP_SIDECAR_KEY' ) );
	}

	public function test_default_url(): void {
		$c = $this->config( array( 'SPP_SIDECAR_KEY_ID' => 'k1', 'SPP_SIDECAR_KEY' => self::KEY ) );
		$this->assertTrue( $c->is_valid() );
		$this->assertSame( 'http://127.0.0.1:8787', $c->url() );
		$this->assertSame( 'default', $c->source( 'SPP_SIDECAR_URL' ) );
	}

	public function test_environment_fallback_and_constant_precedence(): void {
		$c = $this->config(
			array( 'SPP_SIDECAR_KEY_ID' => 'fromconst' ),
			array( 'SPP_SIDECAR_KEY_ID' => 'fromenv', 'SPP_SIDECAR_KEY' => self::KEY, 'SPP_SIDECAR_URL' => 'https://sidecar.internal' )
		);
		$this->assertTrue( $c->is_valid() );
		$this->assertSame( 'fromconst', $c->key_id() );
		$this->assertSame( 'environment', $c->source( 'SPP_SIDECAR_KEY' ) );
		$this->assertSame( 'https://sidecar.internal', $c->url() );
	}

	public function test_nothing_set_names_key_id_and_key(): void {
		$c = $this->config( array() );
		$this->assertFalse( $c->is_valid() );
		$this->assertSame( array( 'SPP_SIDECAR_KEY_ID', 'SPP_SIDECAR_KEY' ), $c->problem_names() );
		$this->assertStringStartsWith( 'SPP_SIDECAR_KEY_ID is missing: add define( \'SPP_SIDECAR_KEY_ID\', \'k1\' ); to wp-config.php', $c->problems()['SPP_SIDECAR_KEY_ID'] );
		$this->assertStringStartsWith( 'SPP_SIDECAR_KEY is missing: add define( \'SPP_SIDECAR_KEY\', \'<64 hex characters>\' ); to wp-config.php', $c->problems()['SPP_SIDECAR_KEY'] );
		$this->assertStringContainsString( 'SPP_SIDECAR_KEY_ID is missing', $c->problem_summary() );
		$this->assertStringContainsString( 'SPP_SIDECAR_KEY is missing', $c->problem_summary() );
	}

	public function test_only_key_missing(): void {
		$c = $this->config( array( 'SPP_SIDECAR_KEY_ID' => 'k1' ) );
		$this->assertSame( array( 'SPP_SIDECAR_KEY' ), $c->problem_names() );
		$this->assertSame( '', $c->key() );
	}

	public function test_empty_values_count_as_missing(): void {
		$c = $this->config( array( 'SPP_SIDECAR_KEY_ID' => '', 'SPP_SIDECAR_KEY' => '' ), array( 'SPP_SIDECAR_KEY' => self::KEY ) );
		$this->assertSame( array( 'SPP_SIDECAR_KEY_ID', 'SPP_SIDECAR_KEY' ), $c->problem_names() );
		$c = $this->config( array(), array( 'SPP_SIDECAR_KEY_ID' => '', 'SPP_SIDECAR_KEY' => self::KEY ) );
		$this->assertSame( array( 'SPP_SIDECAR_KEY_ID' ), $c->problem_names() );
	}

	public function test_key_too_short(): void {
		$c = $this->config( array( 'SPP_SIDECAR_KEY_ID' => 'k1', 'SPP_SIDECAR_KEY' => substr( self::KEY, 0, 62 ) ) );
		$this->assertSame( array( 'SPP_SIDECAR_KEY' => 'SPP_SIDECAR_KEY is invalid: it must be 64 hex characters (32 bytes), it has 62.' ), $c->problems() );
	}

	public function test_key_not_hex_and_never_echoed(): void {
		$secret = str_repeat( 'g', 64 );
		$c      = $this->config( array( 'SPP_SIDECAR_KEY_ID' => 'k1', 'SPP_SIDECAR_KEY' => $secret ) );
		$this->assertSame( array( 'SPP_SIDECAR_KEY' ), $c->problem_names() );
		$this->assertStringStartsWith( 'SPP_SIDECAR_KEY is invalid: it must be 64 hex characters', $c->problem_summary() );
		$this->assertStringNotContainsString( $secret, $c->problem_summary() );
	}

	public function test_key_id_invalid(): void {
		$c = $this->config( array( 'SPP_SIDECAR_KEY_ID' => 'k 1', 'SPP_SIDECAR_KEY' => self::KEY ) );
		$this->assertSame( array( 'SPP_SIDECAR_KEY_ID' ), $c->problem_names() );
		$this->assertStringStartsWith( 'SPP_SIDECAR_KEY_ID is invalid: use 1 to 32 letters, digits', $c->problem_summary() );
		$c = $this->config( array( 'SPP_SIDECAR_KEY_ID' => str_repeat( 'k', 33 ), 'SPP_SIDECAR_KEY' => self::KEY ) );
		$this->assertSame( array( 'SPP_SIDECAR_KEY_ID' ), $c->problem_names() );
	}

	/**
	 * Bad URLs.
	 *
	 * @return array<string,array{0:string}>
	 */
	public function bad_urls(): array {
		return array(
			'no scheme'   => array( '127.0.0.1:8787' ),
			'ftp'         => array( 'ftp://127.0.0.1' ),
			'query'       => array( 'http://127.0.0.1:8787/?a=1' ),
			'fragment'    => array( 'http://127.0.0.1:8787#x' ),
			'credentials' => array( 'http://u:p@127.0.0.1' ),
			'space'       => array( 'http://127.0.0.1 :8787' ),
			'bad port'    => array( 'http://127.0.0.1:99999' ),
		);
	}

	/**
	 * Each bad URL is named, with the value and an example.
	 *
	 * @dataProvider bad_urls
	 * @param string $url URL.
	 */
	public function test_url_invalid( string $url ): void {
		$c = $this->config( array( 'SPP_SIDECAR_URL' => $url, 'SPP_SIDECAR_KEY_ID' => 'k1', 'SPP_SIDECAR_KEY' => self::KEY ) );
		$this->assertSame( array( 'SPP_SIDECAR_URL' ), $c->problem_names() );
		$this->assertSame( "SPP_SIDECAR_URL is invalid: '$url' is not an http:// or https:// address without query or fragment, e.g. http://127.0.0.1:8787.", $c->problem_summary() );
	}

	public function test_url_empty_constant(): void {
		$c = $this->config( array( 'SPP_SIDECAR_URL' => ' ', 'SPP_SIDECAR_KEY_ID' => 'k1', 'SPP_SIDECAR_KEY' => self::KEY ) );
		$this->assertSame( array( 'SPP_SIDECAR_URL' ), $c->problem_names() );
		$this->assertStringStartsWith( 'SPP_SIDECAR_URL is empty', $c->problem_summary() );
	}

	public function test_good_urls(): void {
		foreach ( array( 'http://localhost:8787', 'https://sidecar.example.com', 'http://[::1]:8787', 'http://10.1.2.3:8787/portal-api' ) as $url ) {
			$this->assertTrue( SPP_Config::is_valid_url( $url ), $url );
		}
	}

	public function test_all_three_wrong_in_order(): void {
		$c = $this->config( array( 'SPP_SIDECAR_URL' => 'nope', 'SPP_SIDECAR_KEY_ID' => '!', 'SPP_SIDECAR_KEY' => 'abc' ) );
		$this->assertSame( array( 'SPP_SIDECAR_URL', 'SPP_SIDECAR_KEY_ID', 'SPP_SIDECAR_KEY' ), $c->problem_names() );
	}

	/**
	 * The administrator's messages for an unreachable sidecar and a timeout.
	 */
	public function test_unavailable_messages(): void {
		$this->assertSame(
			'The provisioning service at http://127.0.0.1:8787 is not reachable: cURL error 7: Failed to connect to 127.0.0.1 port 8787 after 0 ms: Couldn\'t connect to server; start it or check SPP_SIDECAR_URL in wp-config.php.',
			SPP_Sidecar_Client::unavailable_message( 'http://127.0.0.1:8787', 'cURL error 7: Failed to connect to 127.0.0.1 port 8787 after 0 ms: Couldn\'t connect to server', false, 8 )
		);
		$this->assertStringStartsWith(
			'The provisioning service at http://127.0.0.1:8787 did not answer within 90 s: cURL error 28: Operation timed out',
			SPP_Sidecar_Client::unavailable_message( 'http://127.0.0.1:8787', 'cURL error 28: Operation timed out after 90001 milliseconds with 0 bytes received', true, 90 )
		);
	}
}
