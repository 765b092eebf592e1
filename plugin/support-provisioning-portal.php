<?php
/**
 * Plugin Name:       Support Provisioning Portal
 * Description:       Self-service Proxmox VE virtual machines for support teams. WordPress logs the user in and forwards each portal call, signed, to the provisioning sidecar, which decides every right.
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      8.1
 * Author:            Support Provisioning Portal contributors
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       support-provisioning-portal
 * Domain Path:       /languages
 *
 * @package SupportProvisioningPortal
 */

defined( 'ABSPATH' ) || exit;

define( 'SPP_PLUGIN_FILE', __FILE__ );
define( 'SPP_PLUGIN_VERSION', '0.1.0' );

require_once __DIR__ . '/includes/class-spp-contract.php';
require_once __DIR__ . '/includes/class-spp-config.php';
require_once __DIR__ . '/includes/class-spp-signer.php';
require_once __DIR__ . '/includes/class-spp-sidecar-client.php';
require_once __DIR__ . '/includes/class-spp-raw-response.php';
require_once __DIR__ . '/includes/class-spp-rest-controller.php';
require_once __DIR__ . '/includes/class-spp-directory-sync.php';
require_once __DIR__ . '/includes/class-spp-portal.php';
require_once __DIR__ . '/includes/class-spp-admin-page.php';
require_once __DIR__ . '/includes/class-spp-plugin.php';

register_activation_hook( __FILE__, array( 'SPP_Plugin', 'activate' ) );
register_deactivation_hook( __FILE__, array( 'SPP_Plugin', 'deactivate' ) );

SPP_Plugin::instance()->boot();
