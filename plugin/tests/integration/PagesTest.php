<?php
/**
 * What browsers get: the portal page (shortcode) and the admin page, with the UI's scripts when built.
 *
 * @package SupportProvisioningPortal
 */

/**
 * Front-end and admin page.
 */
final class PagesTest extends SPP_Integration_Test_Case {

	/**
	 * Whether the UI is built (plugin/build/ is the UI's, not this plugin's).
	 *
	 * @param string $file File below build/.
	 * @return bool
	 */
	private static function built( $file ) {
		return is_readable( plugin_dir_path( SPP_PLUGIN_FILE ) . 'build/' . $file );
	}

	/**
	 * The portal page's path.
	 *
	 * @return string
	 */
	private static function portal_path() {
		return (string) wp_parse_url( self::env()['page']['url'], PHP_URL_PATH );
	}

	public function test_portal_page_logged_out_shows_login_link(): void {
		$res = ( new SPP_Http() )->request( 'GET', self::url( self::portal_path() ) );
		$this->assertSame( 200, $res->status );
		$this->assertStringContainsString( 'class="spp-portal-login"', $res->body );
		$this->assertStringContainsString( 'wp-login.php?redirect_to=', $res->body );
		$this->assertStringNotContainsString( 'data-spp-portal', $res->body );
		$this->assertStringNotContainsString( '[support_provisioning_portal]', $res->body );
	}

	public function test_portal_page_logged_in_mounts_the_portal(): void {
		list( $http ) = self::session( 'support1' );
		$res          = $http->request( 'GET', self::url( self::portal_path() ) );
		$this->assertSame( 200, $res->status );
		$this->assertStringContainsString( '<div class="spp-portal" data-spp-portal="1"></div>', $res->body );
		$this->assertNoPhpNoise( $res->body );
		if ( self::built( 'portal/block.json' ) ) {
			$type = WP_Block_Type_Registry::get_instance()->get_registered( SPP_Portal::BLOCK );
			$this->assertNotNull( $type );
			foreach ( $type->view_script_handles as $handle ) {
				$this->assertMatchesRegularExpression( '/id=["\']' . preg_quote( $handle, '/' ) . '-js["\']/', $res->body, "view script $handle not printed" );
			}
			$this->assertStringContainsString( 'wp-api-fetch', $res->body );
		}
	}

	public function test_admin_page_for_the_administrator(): void {
		list( $http ) = self::session( 'admin' );
		$res          = $http->request( 'GET', self::url( '/wp-admin/admin.php?page=support-provisioning' ) );
		$this->assertSame( 200, $res->status );
		$this->assertStringContainsString( '<div id="spp-admin-root"></div>', $res->body );
		$this->assertStringContainsString( 'reachable at ' . getenv( 'SPP_TEST_SIDECAR_URL' ), $res->body );
		$this->assertStringContainsString( getenv( 'SPP_TEST_KEY_ID' ) . ' is accepted by the sidecar.', $res->body );
		$this->assertStringContainsString( 'Sync users now', $res->body );
		$this->assertStringContainsString( 'toplevel_page_support-provisioning', $res->body );
		if ( self::built( 'admin/index.js' ) ) {
			$this->assertStringContainsString( 'build/admin/index.js', $res->body );
			$this->assertStringContainsString( 'window.sppAdminConfig', $res->body );
			$this->assertMatchesRegularExpression( '/id=["\']react-jsx-runtime-js["\']/', $res->body );
		} else {
			$this->assertStringContainsString( 'run npm run build', $res->body );
		}
		$this->assertNoPhpNoise( $res->body );
	}

	/**
	 * The menu needs only `read` (rights are the sidecar's); the diagnostics are for administrators.
	 */
	public function test_admin_page_for_a_subscriber(): void {
		list( $http ) = self::session( 'support1' );
		$res          = $http->request( 'GET', self::url( '/wp-admin/admin.php?page=support-provisioning' ) );
		$this->assertSame( 200, $res->status );
		$this->assertStringContainsString( '<div id="spp-admin-root"></div>', $res->body );
		$this->assertStringNotContainsString( 'Sync users now', $res->body );
		$this->assertStringNotContainsString( (string) getenv( 'SPP_TEST_SIDECAR_URL' ), $res->body );
	}

	public function test_plugins_screen_notices(): void {
		list( $http ) = self::session( 'admin' );
		$res          = $http->request( 'GET', self::url( '/wp-admin/plugins.php' ) );
		$this->assertSame( 200, $res->status );
		$this->assertStringNotContainsString( 'is not configured', $res->body );
		if ( ! self::built( 'portal/block.json' ) ) {
			$this->assertStringContainsString( 'build/portal/block.json is missing', $res->body );
		}
	}
}
