<?php
/**
 * Wiring: builds the parts once and hooks them in. Activation, deactivation and the WP 6.1 shim for the
 * `react-jsx-runtime` script handle live here too.
 *
 * @package SupportProvisioningPortal
 */

defined( 'ABSPATH' ) || exit;

/**
 * The plugin.
 */
final class SPP_Plugin {

	/**
	 * The one instance.
	 *
	 * @var SPP_Plugin|null
	 */
	private static $instance = null;

	/**
	 * Sidecar client (built on first use: the configuration is read then).
	 *
	 * @var SPP_Sidecar_Client|null
	 */
	private $client = null;

	/**
	 * The instance.
	 *
	 * @return SPP_Plugin
	 */
	public static function instance() {
		if ( null === self::$instance ) {
			self::$instance = new self();
		}
		return self::$instance;
	}

	/**
	 * The sidecar client, with the configuration of this site.
	 *
	 * @return SPP_Sidecar_Client
	 */
	public function client() {
		if ( null === $this->client ) {
			$this->client = new SPP_Sidecar_Client( SPP_Config::load() );
		}
		return $this->client;
	}

	/**
	 * Hooks everything in (called once when the plugin file is loaded).
	 *
	 * @return void
	 */
	public function boot() {
		add_action( 'init', array( __CLASS__, 'register_jsx_runtime_shim' ), 1 );
		add_action( 'init', array( $this, 'load_textdomain' ) );
		add_action( 'init', array( SPP_Directory_Sync::class, 'schedule_daily' ) );
		add_action( 'init', array( SPP_Directory_Sync::class, 'resync_after_model_change' ) );
		add_action( 'http_api_curl', array( SPP_Sidecar_Client::class, 'curl_connect_timeout' ), 10, 2 );
		add_action(
			'rest_api_init',
			function () {
				( new SPP_Rest_Controller( $this->client() ) )->register_routes();
			}
		);
		add_filter( 'rest_pre_serve_request', array( SPP_Raw_Response::class, 'serve' ), 10, 3 );

		( new SPP_Directory_Sync( $this->client() ) )->register_hooks();
		( new SPP_Portal() )->register_hooks();
		if ( is_admin() ) {
			( new SPP_Admin_Page( $this->client() ) )->register_hooks();
		}
	}

	/**
	 * Loads translations.
	 *
	 * @return void
	 */
	public function load_textdomain() {
		load_plugin_textdomain( 'support-provisioning-portal', false, dirname( plugin_basename( SPP_PLUGIN_FILE ) ) . '/languages' );
	}

	/**
	 * Activation: schedule the daily directory sync and run a full one now. Best effort: when the sidecar
	 * is down (or not configured yet) activation still succeeds and a retry is scheduled.
	 *
	 * @return void
	 */
	public static function activate() {
		try {
			SPP_Directory_Sync::schedule_daily();
			( new SPP_Directory_Sync( self::instance()->client() ) )->full_sync();
		} catch ( \Throwable $e ) {
			error_log( 'Support Provisioning Portal: the directory sync at activation failed: ' . $e->getMessage() ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
			if ( ! wp_next_scheduled( SPP_Directory_Sync::CRON_RETRY ) ) {
				wp_schedule_single_event( time() + SPP_Directory_Sync::RETRY_DELAY, SPP_Directory_Sync::CRON_RETRY );
			}
		}
	}

	/**
	 * Deactivation: no scheduled events left behind.
	 *
	 * @return void
	 */
	public static function deactivate() {
		SPP_Directory_Sync::unschedule();
	}

	/**
	 * WordPress before 6.6 has no `react-jsx-runtime` script, which scripts built by @wordpress/scripts
	 * 28+ depend on; WordPress silently drops a script whose dependency is missing. When the handle is
	 * absent, register React's own jsx-runtime bundled by the UI build (build/polyfills/), or else the
	 * plugin's small shim over window.React (assets/js/). Runs on init priority 1, before blocks are
	 * registered. On WordPress 6.6+ nothing happens: core's handle is used.
	 *
	 * @return void
	 */
	public static function register_jsx_runtime_shim() {
		if ( wp_script_is( 'react-jsx-runtime', 'registered' ) ) {
			return;
		}
		$asset = self::build_asset( 'polyfills/react-jsx-runtime' );
		if ( null !== $asset ) {
			$src  = plugins_url( 'build/polyfills/react-jsx-runtime.js', SPP_PLUGIN_FILE );
			$deps = $asset['dependencies'] ? $asset['dependencies'] : array( 'react' );
			$ver  = $asset['version'];
		} else {
			$src  = plugins_url( 'assets/js/react-jsx-runtime.js', SPP_PLUGIN_FILE );
			$deps = array( 'react' );
			$ver  = SPP_PLUGIN_VERSION;
		}
		wp_register_script( 'react-jsx-runtime', $src, $deps, $ver, false );
	}

	/**
	 * The asset file of a UI build entry (build/<entry>.asset.php, written by @wordpress/scripts), or null
	 * when that entry is not built.
	 *
	 * @param string $entry Entry, e.g. admin/index.
	 * @return array{dependencies:string[],version:string}|null
	 */
	public static function build_asset( $entry ) {
		$dir = plugin_dir_path( SPP_PLUGIN_FILE ) . 'build/';
		if ( ! is_readable( $dir . $entry . '.js' ) ) {
			return null;
		}
		$asset = is_readable( $dir . $entry . '.asset.php' ) ? include $dir . $entry . '.asset.php' : array();
		return array(
			'dependencies' => isset( $asset['dependencies'] ) && is_array( $asset['dependencies'] ) ? $asset['dependencies'] : array(),
			'version'      => isset( $asset['version'] ) ? (string) $asset['version'] : SPP_PLUGIN_VERSION,
		);
	}
}
