<?php
/**
 * With the sidecar stopped (scripts/test-plugin.mjs stops it, then runs this group): every portal call
 * answers 503 spp_sidecar_unavailable as clean JSON with a message an administrator can act on; pages
 * still render; saving a WordPress user still works and the directory sync is remembered for later.
 *
 * @package SupportProvisioningPortal
 */

/**
 * Sidecar stopped.
 *
 * @group sidecar-down
 */
final class SidecarDownTest extends SPP_Integration_Test_Case {

	/** Login of the user created while the sidecar is down (SidecarRecoveredTest looks for it). */
	const LOGIN = 'spp-while-down';

	public static function setUpBeforeClass(): void {
		parent::setUpBeforeClass();
		if ( self::sidecar_is_up() ) {
			throw new RuntimeException( 'the sidecar-down group needs the sidecar stopped (scripts/test-plugin.mjs does that)' );
		}
	}


	/**
	 * As the administrator: 503, the sidecar's address, what to do, and nothing but JSON.
	 *
	 * @dataProvider operations
	 * @param string $method Method.
	 * @param string $path   Path.
	 */
	public function test_every_route_is_503_for_the_admin( string $method, string $path ): void {
		$body = in_array( $method, array( 'POST', 'PUT' ), true ) ? array() : null;
		$res  = self::as_admin( $method, $path, $body );
		$this->assertNoPhpNoise( $res->body );
		$envelope = $this->assertEnvelope( $res, 503, 'spp_sidecar_unavailable' );
		$this->assertStringStartsWith( 'The provisioning service at ' . getenv( 'SPP_TEST_SIDECAR_URL' ) . ' is not reachable: ', $envelope['message'] );
		$this->assertStringEndsWith( '; start it or check SPP_SIDECAR_URL in wp-config.php.', $envelope['message'] );
	}

	/**
	 * The browser's way, as a subscriber: 503 without internals.
	 */
	public function test_subscriber_gets_a_plain_message(): void {
		$res      = self::as_browser( 'support1', 'GET', '/deployments' );
		$envelope = $this->assertEnvelope( $res, 503, 'spp_sidecar_unavailable' );
		$this->assertStringNotContainsString( (string) getenv( 'SPP_TEST_SIDECAR_URL' ), $envelope['message'] );
		$this->assertStringContainsString( 'not reachable', $envelope['message'] );
		$this->assertNoPhpNoise( $res->body );
	}

	/**
	 * Pages still render: the admin page says what is wrong, the portal page mounts.
	 */
	public function test_pages_render(): void {
		list( $http ) = self::session( 'admin' );
		$res          = $http->request( 'GET', self::url( '/wp-admin/admin.php?page=support-provisioning' ) );
		$this->assertSame( 200, $res->status );
		$this->assertStringContainsString( 'The provisioning service at ' . getenv( 'SPP_TEST_SIDECAR_URL' ) . ' is not reachable', $res->body );
		$this->assertStringContainsString( '<div id="spp-admin-root"></div>', $res->body );
		$this->assertNoPhpNoise( $res->body );

		$page = $http->request( 'GET', self::env()['page']['url'] );
		$this->assertSame( 200, $page->status );
		$this->assertStringContainsString( 'data-spp-portal="1"', $page->body );
	}

	/**
	 * Saving a user works; the failed push is remembered, logged once, and a full sync is scheduled.
	 */
	public function test_user_save_survives_and_sync_is_scheduled(): void {
		$res = self::as_script(
			'POST',
			'/wp-json/wp/v2/users',
			array(
				'username' => self::LOGIN,
				'email'    => self::LOGIN . '@example.test',
				'password' => wp_generate_password( 20 ),
				'name'     => 'Created While Down',
			)
		);
		$this->assertSame( 201, $res->status, $res->describe() );
		$this->assertNoPhpNoise( $res->body );
		$res = self::as_script( 'POST', '/wp-json/wp/v2/users/' . $res->json()['id'], array( 'name' => 'Created While Down (edited)' ) );
		$this->assertSame( 200, $res->status, $res->describe() );

		wp_cache_flush();
		$state = SPP_Directory_Sync::state();
		$this->assertTrue( $state['pending'] );
		$this->assertStringContainsString( 'is not reachable', (string) $state['lastError'] );
		$this->assertNotFalse( wp_next_scheduled( SPP_Directory_Sync::CRON_RETRY ) );
	}

	/**
	 * No PHP warning or notice from the plugin in the site's logs so far.
	 */
	public function test_no_php_warnings_logged(): void {
		$this->assertNoPluginWarningsLogged();
	}
}
