<?php
/**
 * What the REST controller does to the sidecar's answer and path without WordPress: JSON kept as JSON
 * (empty objects stay objects), Location rewritten to the browser-facing REST URL, route parameters
 * filled in.
 *
 * @package SupportProvisioningPortal
 */

use PHPUnit\Framework\TestCase;

/**
 * Relay helper tests.
 */
final class RelayTest extends TestCase {

	/**
	 * Round trip: decode with objects, convert, encode as WordPress does (json_encode of arrays).
	 *
	 * @return array<string,array{0:string}>
	 */
	public function bodies(): array {
		return array(
			'error envelope with params' => array( '{"code":"spp_invalid_param","message":"Please check the field \'memoryMb\'.","data":{"status":400,"params":{"memoryMb":"Unrecognized key."}}}' ),
			'empty object kept'          => array( '{"details":{},"list":[],"n":null,"f":1.5,"b":false}' ),
			'list of objects'            => array( '[{"id":1,"can":{"start":true}},{"id":2,"can":{}}]' ),
			'numeric-key object kept'    => array( '{"0":"a","1":"b"}' ),
			'nested numeric-key object'  => array( '{"m":{"0":"x"}}' ),
			'unicode and slashes'        => array( '{"name":"Béa","url":"/v1/x"}' ),
			'empty list'                 => array( '[]' ),
		);
	}

	/**
	 * Same JSON after the trip.
	 *
	 * @dataProvider bodies
	 * @param string $json JSON.
	 */
	public function test_json_round_trip( string $json ): void {
		$converted = SPP_Rest_Controller::json_for_wp( json_decode( $json ) );
		$this->assertSame( $json, json_encode( $converted, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE ) );
	}

	/**
	 * Objects with ordinary keys become arrays (so WordPress's _fields and _embed work on them).
	 */
	public function test_objects_become_arrays(): void {
		$converted = SPP_Rest_Controller::json_for_wp( json_decode( '{"a":{"b":1}}' ) );
		$this->assertIsArray( $converted );
		$this->assertIsArray( $converted['a'] );
	}

	public function test_location_rewritten(): void {
		$base = 'http://127.0.0.1:8888/wp-json/support-provisioning/v1';
		$this->assertSame( $base . '/deployments/12', SPP_Rest_Controller::rewrite_location( '/v1/deployments/12', $base ) );
		$this->assertSame( $base . '/admin/templates/4', SPP_Rest_Controller::rewrite_location( 'http://127.0.0.1:8787/v1/admin/templates/4', $base . '/' ) );
		$this->assertSame( 'https://elsewhere.example/x', SPP_Rest_Controller::rewrite_location( 'https://elsewhere.example/x', $base ) );
		$this->assertSame( 'http://x/?rest_route=/support-provisioning/v1/deployments/3', SPP_Rest_Controller::rewrite_location( '/v1/deployments/3', 'http://x/?rest_route=/support-provisioning/v1' ) );
	}

	public function test_fill_route(): void {
		$this->assertSame( '/deployments/12/shares/7', SPP_Rest_Controller::fill_route( '/deployments/(?P<id>\d+)/shares/(?P<user_id>\d+)', array( 'id' => '12', 'user_id' => '7' ) ) );
		$this->assertSame( '/me', SPP_Rest_Controller::fill_route( '/me', array() ) );
	}

	/**
	 * Every path of api.md, with its methods, from the generated copy of the route table; no /directory route.
	 */
	public function test_operations_cover_api_md(): void {
		$expected = array(
			'GET /templates', 'GET /quota', 'GET /deployments', 'POST /deployments',
			'GET /deployments/(?P<id>\d+)', 'DELETE /deployments/(?P<id>\d+)',
			'POST /deployments/(?P<id>\d+)/start', 'POST /deployments/(?P<id>\d+)/stop',
			'POST /deployments/(?P<id>\d+)/prolong', 'POST /deployments/(?P<id>\d+)/refresh-ips',
			'PUT /deployments/(?P<id>\d+)/owner',
			'GET /deployments/(?P<id>\d+)/shares', 'POST /deployments/(?P<id>\d+)/shares',
			'DELETE /deployments/(?P<id>\d+)/shares/(?P<user_id>\d+)',
			'GET /me', 'GET /settings', 'PUT /settings', 'POST /settings/test',
			'GET /admin/templates', 'POST /admin/templates', 'PUT /admin/templates/(?P<id>\d+)', 'DELETE /admin/templates/(?P<id>\d+)',
			'GET /admin/proxmox-templates', 'GET /users', 'PUT /users/(?P<id>\d+)', 'GET /audit',
		);
		$actual = array();
		$names  = array();
		foreach ( SPP_Rest_Controller::operations() as list( $route, $method, $operation, $kind ) ) {
			$actual[] = "$method $route";
			$names[]  = $operation;
			$this->assertMatchesRegularExpression( '/^[a-z_]+$/', $operation );
			$this->assertArrayHasKey( $kind, SPP_Sidecar_Client::TIMEOUTS );
			$this->assertStringNotContainsString( 'directory', $route );
		}
		$this->assertSame( $expected, $actual );
		$this->assertSame( count( $names ), count( array_unique( $names ) ) );
		// One permission callback for every route (the sidecar decides the rights).
		$this->assertTrue( method_exists( SPP_Rest_Controller::class, 'permissions_check' ) );
	}

	/**
	 * What WordPress forwards: JSON within the size and depth limits, the bytes as received; anything
	 * else is the sidecar's own 400 envelope, given by WordPress without a call.
	 *
	 * @return array<string,array{0:string,1:?string}>
	 */
	public function bodies_to_forward(): array {
		$limit = SPP_Contract::MAX_BODY_BYTES;
		$nest  = static function ( int $levels ): string {
			return str_repeat( '[', $levels - 1 ) . '{"a":1}' . str_repeat( ']', $levels - 1 );
		};
		$sized = static function ( int $bytes ): string {
			return '{"name":"' . str_repeat( 'x', $bytes - 11 ) . '"}';
		};
		return array(
			'empty'                      => array( '', null ),
			'an object'                  => array( '{"templateId":1,"name":"x"}', null ),
			'a scalar (the sidecar says)' => array( '42', null ),
			'rights, two levels'         => array( '{"rights":["portal.view"]}', null ),
			'at the depth limit'         => array( $nest( SPP_Contract::MAX_BODY_DEPTH ), null ),
			'one level deeper'           => array( $nest( SPP_Contract::MAX_BODY_DEPTH + 1 ), 'Nested too deeply.' ),
			'ten thousand levels'        => array( $nest( 10000 ), 'Nested too deeply.' ),
			'exactly the size limit'     => array( $sized( $limit ), null ),
			'one byte more'              => array( $sized( $limit + 1 ), 'Too large.' ),
			'large and not JSON'         => array( str_repeat( '{', $limit + 1 ), 'Too large.' ),
			'cut off'                    => array( '{"templateId":1,', 'Not valid JSON.' ),
			'plain text'                 => array( 'hello', 'Not valid JSON.' ),
			'invalid UTF-8'              => array( "{\"name\":\"\xff\"}", 'Not valid JSON.' ),
			'two documents'              => array( '{}{}', 'Not valid JSON.' ),
		);
	}

	/**
	 * @dataProvider bodies_to_forward
	 * @param string      $body  Body.
	 * @param string|null $param The refusal's data.params.body, or null when the body is forwarded.
	 */
	public function test_body_refusal( string $body, ?string $param ): void {
		$refusal = SPP_Rest_Controller::body_refusal( $body );
		if ( null === $param ) {
			$this->assertNull( $refusal );
			return;
		}
		$this->assertInstanceOf( WP_Error::class, $refusal );
		$this->assertSame( 'spp_invalid_param', $refusal->get_error_code() );
		$this->assertSame(
			array(
				'status' => 400,
				'params' => array( 'body' => $param ),
			),
			$refusal->get_error_data()
		);
	}
}
