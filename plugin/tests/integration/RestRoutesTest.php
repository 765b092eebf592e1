<?php
/**
 * Every route of api.md is in the REST index, and each one wants a logged-in user (401
 * rest_not_logged_in otherwise, before anything reaches the sidecar). /directory is not exposed.
 *
 * @package SupportProvisioningPortal
 */

/**
 * Route registration and the login requirement.
 */
final class RestRoutesTest extends SPP_Integration_Test_Case {

	/**
	 * Route → methods api.md asks for.
	 */
	const EXPECTED = array(
		'/support-provisioning/v1/templates'                                    => array( 'GET' ),
		'/support-provisioning/v1/quota'                                        => array( 'GET' ),
		'/support-provisioning/v1/deployments'                                  => array( 'GET', 'POST' ),
		'/support-provisioning/v1/deployments/(?P<id>\d+)'                      => array( 'GET', 'DELETE' ),
		'/support-provisioning/v1/deployments/(?P<id>\d+)/start'                => array( 'POST' ),
		'/support-provisioning/v1/deployments/(?P<id>\d+)/stop'                 => array( 'POST' ),
		'/support-provisioning/v1/deployments/(?P<id>\d+)/prolong'              => array( 'POST' ),
		'/support-provisioning/v1/deployments/(?P<id>\d+)/refresh-ips'          => array( 'POST' ),
		'/support-provisioning/v1/deployments/(?P<id>\d+)/owner'                => array( 'PUT' ),
		'/support-provisioning/v1/deployments/(?P<id>\d+)/shares'               => array( 'GET', 'POST' ),
		'/support-provisioning/v1/deployments/(?P<id>\d+)/shares/(?P<user_id>\d+)' => array( 'DELETE' ),
		'/support-provisioning/v1/me'                                           => array( 'GET' ),
		'/support-provisioning/v1/settings'                                     => array( 'GET', 'PUT' ),
		'/support-provisioning/v1/settings/test'                                => array( 'POST' ),
		'/support-provisioning/v1/admin/templates'                              => array( 'GET', 'POST' ),
		'/support-provisioning/v1/admin/templates/(?P<id>\d+)'                  => array( 'PUT', 'DELETE' ),
		'/support-provisioning/v1/admin/proxmox-templates'                      => array( 'GET' ),
		'/support-provisioning/v1/users'                                        => array( 'GET' ),
		'/support-provisioning/v1/users/(?P<id>\d+)'                            => array( 'PUT' ),
		'/support-provisioning/v1/audit'                                        => array( 'GET' ),
	);

	/**
	 * The namespace's index lists exactly the routes of api.md, each with its methods.
	 */
	public function test_every_route_in_the_rest_index(): void {
		$res = ( new SPP_Http() )->request( 'GET', self::url( '/wp-json/support-provisioning/v1' ) );
		$this->assertSame( 200, $res->status, $res->describe() );
		$index  = $res->json();
		$routes = $index['routes'];
		$this->assertSame( 'support-provisioning/v1', $index['namespace'] );
		$listed = array_diff( array_keys( $routes ), array( '/support-provisioning/v1' ) );
		$this->assertEqualsCanonicalizing( array_keys( self::EXPECTED ), array_values( $listed ) );
		foreach ( self::EXPECTED as $route => $methods ) {
			$this->assertEqualsCanonicalizing( $methods, array_values( array_diff( $routes[ $route ]['methods'], array( 'HEAD' ) ) ), $route );
		}
		foreach ( array_keys( $routes ) as $route ) {
			$this->assertStringNotContainsString( 'directory', $route );
		}

		$root = ( new SPP_Http() )->request( 'GET', self::url( '/wp-json/' ) )->json();
		$this->assertContains( 'support-provisioning/v1', $root['namespaces'] );
	}


	/**
	 * Without a login: 401 rest_not_logged_in, for every operation.
	 *
	 * @dataProvider operations
	 * @param string $method Method.
	 * @param string $path   Path.
	 */
	public function test_not_logged_in_is_401( string $method, string $path ): void {
		$body = in_array( $method, array( 'POST', 'PUT' ), true ) ? array() : null;
		$this->assertEnvelope( self::anonymous( $method, $path, $body ), 401, 'rest_not_logged_in' );
	}

	/**
	 * A login cookie without the nonce counts as logged out (WordPress's CSRF rule): 401.
	 */
	public function test_cookie_without_nonce_is_401(): void {
		list( $http ) = self::session( 'admin' );
		$this->assertEnvelope( $http->request( 'GET', self::url( self::NS . '/me' ) ), 401, 'rest_not_logged_in' );
	}

	/**
	 * A wrong nonce: WordPress's 403 rest_cookie_invalid_nonce.
	 */
	public function test_wrong_nonce_is_403(): void {
		list( $http ) = self::session( 'admin' );
		$this->assertEnvelope( $http->request( 'GET', self::url( self::NS . '/me' ), array( 'X-WP-Nonce' => '0000000000' ) ), 403, 'rest_cookie_invalid_nonce' );
	}

	/**
	 * /directory is not a WordPress route.
	 */
	public function test_directory_not_exposed(): void {
		$res = self::as_admin( 'POST', '/directory/sync', array( 'users' => array() ) );
		$this->assertEnvelope( $res, 404, 'rest_no_route' );
		$res = self::as_admin( 'PUT', '/directory/users/2', array( 'login' => 'x' ) );
		$this->assertEnvelope( $res, 404, 'rest_no_route' );
	}
}
