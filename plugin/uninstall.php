<?php
/**
 * Uninstall: removes only what this plugin stored in WordPress (its option, transients and scheduled
 * events), on every site of a network. Nothing else: WordPress users, pages holding the shortcode, and
 * the sidecar's data (deployments, rights, audit log) stay.
 *
 * @package SupportProvisioningPortal
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

/**
 * Removes this plugin's data from the current site.
 *
 * @return void
 */
function spp_uninstall_site() {
	delete_option( 'spp_directory_sync' );
	delete_option( 'spp_directory_model' );
	foreach ( array( 'spp_logged_unreachable', 'spp_logged_signature' ) as $transient ) {
		delete_transient( $transient );
	}
	wp_clear_scheduled_hook( 'spp_directory_sync_daily' );
	wp_clear_scheduled_hook( 'spp_directory_sync_retry' );
}

if ( is_multisite() ) {
	foreach ( get_sites( array( 'fields' => 'ids', 'number' => 0 ) ) as $spp_site_id ) {
		switch_to_blog( (int) $spp_site_id );
		spp_uninstall_site();
		restore_current_blog();
	}
} else {
	spp_uninstall_site();
}
