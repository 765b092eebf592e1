<?php
/**
 * Unit tests load the plugin's pure classes without WordPress; the few WordPress functions they touch
 * (translation) are stubbed as identity.
 *
 * @package SupportProvisioningPortal
 */

define( 'ABSPATH', __DIR__ . '/' ); // The plugin's files refuse to load without it.

if ( ! function_exists( '__' ) ) {
	/**
	 * Translation stub.
	 *
	 * @param string $text   Text.
	 * @param string $domain Domain.
	 * @return string
	 */
	function __( $text, $domain = 'default' ) { // phpcs:ignore
		unset( $domain );
		return $text;
	}
}

$spp_includes = dirname( __DIR__, 2 ) . '/includes/';
require_once $spp_includes . 'class-spp-config.php';
require_once $spp_includes . 'class-spp-signer.php';
require_once $spp_includes . 'class-spp-sidecar-client.php';
require_once $spp_includes . 'class-spp-rest-controller.php';
