<?php
/**
 * Canonical query (sidecar-protocol.md): RFC 3986 encoding of keys and values, sorted by key then value.
 * The expectations match sidecar/src/auth/canonical.ts, the verifier.
 *
 * @package SupportProvisioningPortal
 */

use PHPUnit\Framework\TestCase;

/**
 * Canonical query tests.
 */
final class CanonicalQueryTest extends TestCase {

	/**
	 * Raw query as sent → canonical line.
	 *
	 * @return array<string,array{0:string,1:string}>
	 */
	public function cases(): array {
		return array(
			'empty'                               => array( '', '' ),
			'vector 1'                            => array( 'status=RUNNING&page=2', 'page=2&status=RUNNING' ),
			'sorted by key'                       => array( 'b=1&a=2&c=0', 'a=2&b=1&c=0' ),
			'same key sorted by value'            => array( 'a=2&a=10&a=1', 'a=1&a=10&a=2' ),
			'byte order: upper case first'        => array( 'b=1&B=1&a=1', 'B=1&a=1&b=1' ),
			'key prefix sorts first'              => array( 'ab=1&a=2', 'a=2&ab=1' ),
			'space as %20'                        => array( 'search=a%20b', 'search=a%20b' ),
			'plus is a space'                     => array( 'search=a+b', 'search=a%20b' ),
			'encoded plus stays a plus'           => array( 'search=a%2Bb', 'search=a%2Bb' ),
			'tilde unreserved'                    => array( 'q=%7Euser~', 'q=~user~' ),
			'unreserved stay'                     => array( 'q=AZaz09-_.~', 'q=AZaz09-_.~' ),
			'reserved are encoded'                => array( "q=!*'()", 'q=%21%2A%27%28%29' ),
			'lower-case escapes become upper'     => array( 'q=%c3%bc', 'q=%C3%BC' ),
			'unicode raw'                         => array( 'q=ü', 'q=%C3%BC' ),
			'unicode 4-byte'                      => array( 'q=%F0%9F%98%80', 'q=%F0%9F%98%80' ),
			'key without value'                   => array( 'flag&a=1', 'a=1&flag=' ),
			'empty value'                         => array( 'a=', 'a=' ),
			'empty parts dropped'                 => array( '&a=1&&b=2&', 'a=1&b=2' ),
			'second = is part of the value'       => array( 'a=b=c', 'a=b%3Dc' ),
			'comma list'                          => array( 'status=RUNNING,STOPPED', 'status=RUNNING%2CSTOPPED' ),
			'encoded key'                         => array( 'per%5Fpage=5', 'per_page=5' ),
			'brackets in key'                     => array( 'a[]=1', 'a%5B%5D=1' ),
			'malformed escape kept as it stands'  => array( 'q=%zz', 'q=%25zz' ),
			'malformed anywhere: whole kept'      => array( 'q=%zz%41', 'q=%25zz%2541' ),
			'invalid UTF-8 kept as it stands'     => array( 'q=%FF', 'q=%25FF' ),
			'percent at the end'                  => array( 'q=100%', 'q=100%25' ),
			'slash, colon, at encoded'            => array( 'from=2026-11-23T08:00:00Z&x=a/b@c', 'from=2026-11-23T08%3A00%3A00Z&x=a%2Fb%40c' ),
		);
	}

	/**
	 * Each case.
	 *
	 * @dataProvider cases
	 * @param string $raw      Query as sent.
	 * @param string $expected Canonical line.
	 */
	public function test_canonical_query( string $raw, string $expected ): void {
		$this->assertSame( $expected, SPP_Signer::canonical_query( $raw ) );
	}

	/**
	 * Canonical form is a fixed point: what WordPress sends is what it signs.
	 *
	 * @dataProvider cases
	 * @param string $raw Query as sent.
	 */
	public function test_idempotent( string $raw ): void {
		$once = SPP_Signer::canonical_query( $raw );
		$this->assertSame( $once, SPP_Signer::canonical_query( $once ) );
	}

	/**
	 * The forwarded query: WordPress's own parameters dropped, the rest in canonical form.
	 */
	public function test_forward_query_drops_wordpress_params(): void {
		$query = SPP_Rest_Controller::forward_query(
			array(
				'rest_route' => '/support-provisioning/v1/deployments',
				'_locale'    => 'user',
				'_envelope'  => '1',
				'_fields'    => 'id,name',
				'_embed'     => '1',
				'_method'    => 'GET',
				'_wpnonce'   => 'abc',
				'_jsonp'     => 'cb',
				'status'     => 'RUNNING,STOPPED',
				'search'     => 'a b~ü',
				'page'       => '2',
			)
		);
		$this->assertSame( 'page=2&search=a%20b~%C3%BC&status=RUNNING%2CSTOPPED', $query );
		$this->assertSame( $query, SPP_Signer::canonical_query( $query ) );
	}

	/**
	 * Other underscore parameters go on (the sidecar ignores them); arrays become repeated keys.
	 */
	public function test_forward_query_shapes(): void {
		$this->assertSame( '', SPP_Rest_Controller::forward_query( array() ) );
		$this->assertSame( '_other=1', SPP_Rest_Controller::forward_query( array( '_other' => '1' ) ) );
		$this->assertSame( 'status=A&status=B', SPP_Rest_Controller::forward_query( array( 'status' => array( 'B', 'A' ) ) ) );
		$this->assertSame( 'a%5Bx%5D=1', SPP_Rest_Controller::forward_query( array( 'a' => array( 'x' => '1' ) ) ) );
		$this->assertSame( 'e=', SPP_Rest_Controller::forward_query( array( 'e' => '' ) ) );
	}
}
