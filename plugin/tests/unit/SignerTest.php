<?php
/**
 * SPP1 signing against the three test vectors of sidecar-protocol.md (copied here: tests never read
 * the shared specification at run time).
 *
 * @package SupportProvisioningPortal
 */

use PHPUnit\Framework\TestCase;

/**
 * Signer tests.
 */
final class SignerTest extends TestCase {

	const KEY_HEX   = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
	const TIMESTAMP = 1767225600;

	/**
	 * The vectors: method, path, query, key id, nonce, actor JSON, body, expected actor header,
	 * expected canonical query line (or null), expected signature.
	 *
	 * @return array<string,array>
	 */
	public function vectors(): array {
		return array(
			'1: GET with a query'          => array(
				'GET',
				'/v1/deployments',
				'status=RUNNING&page=2',
				'k1',
				'00112233445566778899aabbccddeeff',
				'{"id":7,"login":"alice","email":"alice@example.com","name":"Alice Support","caps":[]}',
				'',
				'eyJpZCI6NywibG9naW4iOiJhbGljZSIsImVtYWlsIjoiYWxpY2VAZXhhbXBsZS5jb20iLCJuYW1lIjoiQWxpY2UgU3VwcG9ydCIsImNhcHMiOltdfQ',
				'page=2&status=RUNNING',
				'v1=050e3a94967262db08b2ddecab24476ec82a4fc6b6750d7430f25f6cfa41d8ac',
			),
			'2: POST with a body'          => array(
				'POST',
				'/v1/deployments',
				'',
				'k1',
				'ffeeddccbbaa99887766554433221100',
				'{"id":1,"login":"admin","email":"admin@example.com","name":"Site Admin","caps":["manage_options"]}',
				'{"templateId":3,"name":"repro-4711","ttlHours":8}',
				'eyJpZCI6MSwibG9naW4iOiJhZG1pbiIsImVtYWlsIjoiYWRtaW5AZXhhbXBsZS5jb20iLCJuYW1lIjoiU2l0ZSBBZG1pbiIsImNhcHMiOlsibWFuYWdlX29wdGlvbnMiXX0',
				'',
				'v1=1ca07fb1223f953cb32c209a4aa0c1cadafd4dd398e684d1eb7523be4ec02e5d',
			),
			'3: PUT, system actor, UTF-8' => array(
				'PUT',
				'/v1/directory/users/42',
				'',
				'k2',
				'0123456789abcdef0123456789abcdef',
				'{"id":0,"system":true}',
				'{"login":"béa","email":"bea@example.com","name":"Béa O\'Neil"}',
				'eyJpZCI6MCwic3lzdGVtIjp0cnVlfQ',
				'',
				'v1=27e7f1d66785926dab0f2e3147ce143802af443548d91b0f254a283c1e59a4a2',
			),
		);
	}

	/**
	 * The actor arrays WordPress builds encode to the vectors' headers (compact JSON, keys in order).
	 *
	 * @dataProvider vectors
	 */
	public function test_actor_header( $method, $path, $query, $key_id, $nonce, $actor_json, $body, $actor_header ): void {
		$actor = json_decode( $actor_json, true );
		$this->assertSame( $actor_json, SPP_Signer::json( $actor ) );
		$this->assertSame( $actor_header, SPP_Signer::encode_actor( $actor ) );
		$this->assertStringNotContainsString( '=', $actor_header );
	}

	/**
	 * Signature of each vector.
	 *
	 * @dataProvider vectors
	 */
	public function test_signature( $method, $path, $query, $key_id, $nonce, $actor_json, $body, $actor_header, $canonical_query, $signature ): void {
		$signer  = new SPP_Signer( $key_id, hex2bin( self::KEY_HEX ) );
		$headers = $signer->headers( $method, $path, $query, $actor_header, $body, self::TIMESTAMP, $nonce );
		$this->assertSame( $signature, $headers['X-SPP-Signature'] );
		$this->assertSame( $key_id, $headers['X-SPP-Key-Id'] );
		$this->assertSame( '1767225600', $headers['X-SPP-Timestamp'] );
		$this->assertSame( $nonce, $headers['X-SPP-Nonce'] );
		$this->assertSame( $actor_header, $headers['X-SPP-Actor'] );
		if ( null !== $canonical_query && '' !== $canonical_query ) {
			$this->assertSame( $canonical_query, SPP_Signer::canonical_query( $query ) );
		}
	}

	/**
	 * The actors built from WordPress user fields are the vectors' actors.
	 */
	public function test_user_actor_matches_vectors(): void {
		$alice = SPP_Signer::user_actor( 7, 'alice', 'alice@example.com', 'Alice Support', false );
		$this->assertSame( 'eyJpZCI6NywibG9naW4iOiJhbGljZSIsImVtYWlsIjoiYWxpY2VAZXhhbXBsZS5jb20iLCJuYW1lIjoiQWxpY2UgU3VwcG9ydCIsImNhcHMiOltdfQ', SPP_Signer::encode_actor( $alice ) );
		$admin = SPP_Signer::user_actor( 1, 'admin', 'admin@example.com', 'Site Admin', true );
		$this->assertSame( 'eyJpZCI6MSwibG9naW4iOiJhZG1pbiIsImVtYWlsIjoiYWRtaW5AZXhhbXBsZS5jb20iLCJuYW1lIjoiU2l0ZSBBZG1pbiIsImNhcHMiOlsibWFuYWdlX29wdGlvbnMiXX0', SPP_Signer::encode_actor( $admin ) );
		$this->assertSame( 'eyJpZCI6MCwic3lzdGVtIjp0cnVlfQ', SPP_Signer::encode_actor( SPP_Signer::system_actor() ) );
	}

	/**
	 * The canonical string: nine lines, no trailing newline, method upper-cased.
	 */
	public function test_canonical_string_shape(): void {
		$s     = SPP_Signer::canonical_string( 'k1', '1767225600', str_repeat( 'a', 32 ), 'get', '/v1/me', 'b=2&a=1', 'eyJpZCI6MH0', '' );
		$lines = explode( "\n", $s );
		$this->assertCount( 9, $lines );
		$this->assertSame( 'SPP1-HMAC-SHA256', $lines[0] );
		$this->assertSame( 'GET', $lines[4] );
		$this->assertSame( '/v1/me', $lines[5] );
		$this->assertSame( 'a=1&b=2', $lines[6] );
		$this->assertSame( hash( 'sha256', 'eyJpZCI6MH0' ), $lines[7] );
		$this->assertSame( 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', $lines[8] ); // sha256('').
		$this->assertStringEndsNotWith( "\n", $s );
	}

	/**
	 * A fresh nonce per request: 32 lower-case hex characters.
	 */
	public function test_nonce(): void {
		$a = SPP_Signer::new_nonce();
		$b = SPP_Signer::new_nonce();
		$this->assertMatchesRegularExpression( '/^[0-9a-f]{32}$/', $a );
		$this->assertNotSame( $a, $b );
		$signer  = new SPP_Signer( 'k1', hex2bin( self::KEY_HEX ) );
		$headers = $signer->headers( 'GET', '/v1/me', '', 'eyJpZCI6MH0', '' );
		$this->assertMatchesRegularExpression( '/^[0-9a-f]{32}$/', $headers['X-SPP-Nonce'] );
		$this->assertEqualsWithDelta( time(), (int) $headers['X-SPP-Timestamp'], 2 );
		$this->assertMatchesRegularExpression( '/^v1=[0-9a-f]{64}$/', $headers['X-SPP-Signature'] );
	}

	/**
	 * The body is signed byte for byte: one changed byte, another signature.
	 */
	public function test_body_bytes_matter(): void {
		$signer = new SPP_Signer( 'k1', hex2bin( self::KEY_HEX ) );
		$a      = $signer->signature( 'POST', '/v1/deployments', '', 'x', '{"a":1}', 1, str_repeat( '0', 32 ) );
		$b      = $signer->signature( 'POST', '/v1/deployments', '', 'x', '{"a": 1}', 1, str_repeat( '0', 32 ) );
		$this->assertNotSame( $a, $b );
	}

	/**
	 * The actor: caps only manage_options, ip validated, user agent trimmed and cut to the sidecar's limit.
	 */
	public function test_user_actor_fields(): void {
		$actor = SPP_Signer::user_actor( 2, 'support1', 'support1@example.test', 'Sam Support', false, ' 192.0.2.7 ', "  Mozilla/5.0 (X11)\n  " );
		$this->assertSame(
			array(
				'id'        => 2,
				'login'     => 'support1',
				'email'     => 'support1@example.test',
				'name'      => 'Sam Support',
				'caps'      => array(),
				'ip'        => '192.0.2.7',
				'userAgent' => 'Mozilla/5.0 (X11)',
			),
			$actor
		);
		$this->assertArrayNotHasKey( 'ip', SPP_Signer::user_actor( 2, 'a', '', '', false, 'not-an-ip', null ) );
		$this->assertArrayNotHasKey( 'userAgent', SPP_Signer::user_actor( 2, 'a', '', '', false, null, '   ' ) );
		$this->assertSame( '2001:db8::1', SPP_Signer::user_actor( 2, 'a', '', '', false, '2001:db8::1' )['ip'] );
		$long = SPP_Signer::user_actor( 2, 'a', '', '', false, null, str_repeat( 'x', 2000 ) );
		$this->assertSame( 512, strlen( $long['userAgent'] ) );
		$this->assertSame( '{"id":2,"login":"a","email":"","name":"","caps":["manage_options"]}', SPP_Signer::json( SPP_Signer::user_actor( 2, 'a', '', '', true ) ) );
		// Only the capabilities the sidecar asks about, in their order; the site facts when given.
		$this->assertSame(
			'{"id":2,"login":"a","email":"","name":"","caps":["manage_options","manage_network_options"],"network":true,"member":false}',
			SPP_Signer::json( SPP_Signer::user_actor( 2, 'a', '', '', array( 'edit_posts', 'manage_network_options', 'manage_options' ), null, null, array( 'network' => true, 'member' => false ) ) )
		);
		$this->assertSame( '{"id":2,"login":"a","email":"","name":"","caps":[],"member":true}', SPP_Signer::json( SPP_Signer::user_actor( 2, 'a', '', '', array(), null, null, array( 'network' => false, 'member' => true ) ) ) );
	}

	/**
	 * Cutting counts UTF-16 code units, as the sidecar (JavaScript) does, and never splits a character.
	 */
	public function test_clip_counts_utf16_units(): void {
		$this->assertSame( 'abc', SPP_Signer::clip( 'abc', 5 ) );
		$this->assertSame( 'éé', SPP_Signer::clip( 'ééé', 2 ) );
		$this->assertSame( '😀', SPP_Signer::clip( '😀😀', 3 ) ); // Each emoji is two units.
		$this->assertSame( '', SPP_Signer::clip( '😀', 1 ) );
		$this->assertSame( 'a?b', str_replace( "\u{FFFD}", '?', SPP_Signer::clip( "a\xffb", 10 ) ) );
	}

	/**
	 * Non-ASCII stays unescaped in the actor JSON, as JSON.stringify writes it.
	 */
	public function test_json_like_javascript(): void {
		$this->assertSame( '{"name":"Béa O\'Neil","url":"a/b"}', SPP_Signer::json( array( 'name' => "Béa O'Neil", 'url' => 'a/b' ) ) );
		$this->assertSame( 'eyJpZCI6MCwic3lzdGVtIjp0cnVlfQ', SPP_Signer::base64url( '{"id":0,"system":true}' ) );
		$this->assertSame( '-__8', SPP_Signer::base64url( "\xfb\xff\xfc" ) ); // base64 "+//8" → url alphabet, no padding.
	}
}
