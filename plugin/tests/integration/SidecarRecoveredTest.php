<?php
/**
 * After the sidecar is back (scripts/test-plugin.mjs starts it again on the same data): portal calls
 * work again, and the user created while it was down reaches the directory with the next full sync.
 *
 * @package SupportProvisioningPortal
 */

/**
 * Sidecar started again.
 *
 * @group sidecar-recovered
 */
final class SidecarRecoveredTest extends SPP_Integration_Test_Case {

	public function test_calls_work_again(): void {
		$this->assertSame( 200, self::as_admin( 'GET', '/me' )->status );
	}

	public function test_user_created_while_down_arrives_with_the_retry(): void {
		$listed = static function () {
			$res = self::as_admin( 'GET', '/users?search=' . 'spp-while-down' );
			return array_column( $res->json(), 'name', 'login' );
		};
		$this->assertArrayNotHasKey( 'spp-while-down', $listed() );

		// The scheduled retry (run as wp-cron would: the event's hook).
		wp_cache_flush();
		$this->assertNotFalse( wp_next_scheduled( SPP_Directory_Sync::CRON_RETRY ) );
		do_action( SPP_Directory_Sync::CRON_RETRY );

		$this->assertSame( 'Created While Down (edited)', $listed()[ 'spp-while-down' ] ?? null );
		wp_cache_flush();
		$this->assertFalse( SPP_Directory_Sync::state()['pending'] );
		$this->assertFalse( wp_next_scheduled( SPP_Directory_Sync::CRON_RETRY ) );
	}

	/**
	 * The whole run (all three phases) left no PHP warning or notice of the plugin in the site's logs.
	 */
	public function test_no_php_warnings_logged_in_the_whole_run(): void {
		$this->assertNoPluginWarningsLogged();
	}
}
