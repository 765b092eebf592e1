<?php
/**
 * The portal on the front end: the block `support-provisioning/portal` (registered from the UI build's
 * build/portal/block.json) and the shortcode [support_provisioning_portal]. Both render the same mount
 * point, <div class="spp-portal" data-spp-portal="1"></div>, and the portal's view script and style;
 * logged-out visitors get a login link instead.
 *
 * @package SupportProvisioningPortal
 */

defined( 'ABSPATH' ) || exit;

/**
 * Shortcode and block.
 */
final class SPP_Portal {

	const BLOCK     = 'support-provisioning/portal';
	const SHORTCODE = 'support_provisioning_portal';

	/**
	 * Hooks.
	 *
	 * @return void
	 */
	public function register_hooks() {
		add_action( 'init', array( $this, 'register' ) );
		add_action( 'admin_notices', array( $this, 'missing_build_notice' ) );
	}

	/**
	 * Registers the shortcode, and the block when the UI is built.
	 *
	 * @return void
	 */
	public function register() {
		add_shortcode( self::SHORTCODE, array( $this, 'render_shortcode' ) );
		$dir = self::block_dir();
		if ( ! is_readable( $dir . '/block.json' ) ) {
			return; // Not built: no block (the notice says how to build it).
		}
		register_block_type(
			$dir,
			array( 'render_callback' => array( $this, 'render_block' ) )
		);
	}

	/**
	 * The block's folder in the UI build.
	 *
	 * @return string
	 */
	public static function block_dir() {
		return plugin_dir_path( SPP_PLUGIN_FILE ) . 'build/portal';
	}

	/**
	 * Block render callback (WordPress enqueues the block's view script and style itself).
	 *
	 * @return string
	 */
	public function render_block() {
		return $this->markup();
	}

	/**
	 * Shortcode: the same markup, and the block's view script and style enqueued by hand.
	 *
	 * @return string
	 */
	public function render_shortcode() {
		if ( is_user_logged_in() ) {
			self::enqueue_block_assets();
		}
		return $this->markup();
	}

	/**
	 * The mount point, or a login link for visitors who are not logged in.
	 *
	 * @return string
	 */
	public function markup() {
		if ( ! is_user_logged_in() ) {
			$here = is_singular() ? get_permalink() : home_url( add_query_arg( array() ) );
			return sprintf(
				'<p class="spp-portal-login"><a href="%s">%s</a></p>',
				esc_url( wp_login_url( (string) $here ) ),
				esc_html__( 'Log in to use the Support Provisioning Portal.', 'support-provisioning-portal' )
			);
		}
		$html = '<div class="spp-portal" data-spp-portal="1"></div>';
		if ( ! is_readable( self::block_dir() . '/block.json' ) && current_user_can( 'manage_options' ) ) {
			$html .= '<p class="spp-portal-missing-build"><em>' . esc_html__( 'The portal\'s user interface is not built: run npm run build in the plugin\'s repository.', 'support-provisioning-portal' ) . '</em></p>';
		}
		return $html;
	}

	/**
	 * Enqueues the registered block's view script(s), view script modules and styles.
	 *
	 * @return void
	 */
	public static function enqueue_block_assets() {
		$type = WP_Block_Type_Registry::get_instance()->get_registered( self::BLOCK );
		if ( ! $type ) {
			return;
		}
		foreach ( array( 'view_script_handles', 'script_handles' ) as $prop ) {
			foreach ( (array) ( $type->$prop ?? array() ) as $handle ) {
				wp_enqueue_script( $handle );
			}
		}
		if ( function_exists( 'wp_enqueue_script_module' ) && ! empty( $type->view_script_module_ids ) ) {
			foreach ( (array) $type->view_script_module_ids as $id ) {
				wp_enqueue_script_module( $id );
			}
		}
		foreach ( array( 'style_handles', 'view_style_handles' ) as $prop ) {
			foreach ( (array) ( $type->$prop ?? array() ) as $handle ) {
				wp_enqueue_style( $handle );
			}
		}
	}

	/**
	 * The URL of a published page that holds the portal (shortcode or block), or ''.
	 *
	 * @return string
	 */
	public static function page_url() {
		$pages = get_posts(
			array(
				'post_type'        => 'page',
				'post_status'      => 'publish',
				's'                => self::SHORTCODE,
				'numberposts'      => 1,
				'fields'           => 'ids',
				'suppress_filters' => false,
			)
		);
		if ( ! $pages ) {
			$pages = get_posts(
				array(
					'post_type'   => 'page',
					'post_status' => 'publish',
					's'           => 'wp:' . self::BLOCK,
					'numberposts' => 1,
					'fields'      => 'ids',
				)
			);
		}
		return $pages ? (string) get_permalink( (int) $pages[0] ) : '';
	}

	/**
	 * Admin notice when the UI build is missing (administrators, on the dashboard and plugins screens).
	 *
	 * @return void
	 */
	public function missing_build_notice() {
		if ( ! current_user_can( 'manage_options' ) || is_readable( self::block_dir() . '/block.json' ) ) {
			return;
		}
		$screen = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
		if ( ! $screen || ! in_array( $screen->id, array( 'dashboard', 'plugins' ), true ) ) {
			return;
		}
		printf(
			'<div class="notice notice-warning"><p>%s</p></div>',
			esc_html__( 'Support Provisioning Portal: the portal block and its scripts are not built (build/portal/block.json is missing), so the portal page stays empty. Run npm run build in the plugin\'s repository.', 'support-provisioning-portal' )
		);
	}
}
