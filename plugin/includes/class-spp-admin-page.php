<?php
/**
 * The "Support Provisioning" admin page: mounts the admin UI (build/admin/index.js) into
 * <div id="spp-admin-root">, and shows administrators what WordPress can check itself: configuration
 * problems (which constant), the sidecar's health, and the user directory sync (with "Sync users now").
 *
 * The menu requires only `read`: portal rights live in the sidecar, so a support lead who holds
 * templates.manage or rights.manage there but is a subscriber in WordPress must reach the page; the UI
 * shows what GET /me allows. The diagnostics are for manage_options only.
 *
 * @package SupportProvisioningPortal
 */

defined( 'ABSPATH' ) || exit;

/**
 * Admin page.
 */
final class SPP_Admin_Page {

	const SLUG          = 'support-provisioning';
	const SCRIPT_HANDLE = 'spp-admin';

	/**
	 * Sidecar client.
	 *
	 * @var SPP_Sidecar_Client
	 */
	private $client;

	/**
	 * Page hook suffix.
	 *
	 * @var string
	 */
	private $hook = '';

	/**
	 * Constructor.
	 *
	 * @param SPP_Sidecar_Client $client Client.
	 */
	public function __construct( SPP_Sidecar_Client $client ) {
		$this->client = $client;
	}

	/**
	 * Hooks.
	 *
	 * @return void
	 */
	public function register_hooks() {
		add_action( 'admin_menu', array( $this, 'add_menu' ) );
		add_action( 'admin_notices', array( $this, 'config_notice' ) );
	}

	/**
	 * The capability the menu requires (filter: spp_admin_menu_capability).
	 *
	 * @return string
	 */
	public static function capability() {
		/**
		 * Filters the capability needed to open the Support Provisioning admin page. Default `read`: the
		 * sidecar decides what each user may do there.
		 *
		 * @param string $capability Capability.
		 */
		return (string) apply_filters( 'spp_admin_menu_capability', 'read' );
	}

	/**
	 * Adds the menu page.
	 *
	 * @return void
	 */
	public function add_menu() {
		$this->hook = (string) add_menu_page(
			__( 'Support Provisioning', 'support-provisioning-portal' ),
			__( 'Support Provisioning', 'support-provisioning-portal' ),
			self::capability(),
			self::SLUG,
			array( $this, 'render' ),
			'dashicons-cloud',
			58
		);
		if ( '' !== $this->hook ) {
			add_action( 'load-' . $this->hook, array( $this, 'on_load' ) );
		}
	}

	/**
	 * Before the page is rendered: enqueue the UI.
	 *
	 * @return void
	 */
	public function on_load() {
		add_action( 'admin_enqueue_scripts', array( $this, 'enqueue' ) );
	}

	/**
	 * Enqueues build/admin/index.js with its generated dependencies, and its style if built.
	 *
	 * @return void
	 */
	public function enqueue() {
		$asset = SPP_Plugin::build_asset( 'admin/index' );
		if ( null === $asset ) {
			return;
		}
		wp_enqueue_script(
			self::SCRIPT_HANDLE,
			plugins_url( 'build/admin/index.js', SPP_PLUGIN_FILE ),
			$asset['dependencies'],
			$asset['version'],
			true
		);
		wp_add_inline_script(
			self::SCRIPT_HANDLE,
			'window.sppAdminConfig = ' . wp_json_encode(
				array(
					'restNamespace'    => SPP_Rest_Controller::REST_NAMESPACE,
					'restUrl'          => esc_url_raw( rest_url( SPP_Rest_Controller::REST_NAMESPACE ) ),
					'canManageOptions' => current_user_can( 'manage_options' ),
					'portalPageUrl'    => SPP_Portal::page_url(),
					'pluginVersion'    => SPP_PLUGIN_VERSION,
				)
			) . ';',
			'before'
		);
		wp_set_script_translations( self::SCRIPT_HANDLE, 'support-provisioning-portal', plugin_dir_path( SPP_PLUGIN_FILE ) . 'languages' );
		if ( is_readable( plugin_dir_path( SPP_PLUGIN_FILE ) . 'build/admin/index.css' ) ) {
			wp_enqueue_style( self::SCRIPT_HANDLE, plugins_url( 'build/admin/index.css', SPP_PLUGIN_FILE ), array( 'wp-components' ), $asset['version'] );
		} else {
			wp_enqueue_style( 'wp-components' );
		}
	}

	/**
	 * Configuration problems, on the dashboard and plugin screens too (administrators only).
	 *
	 * @return void
	 */
	public function config_notice() {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		$screen = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
		if ( ! $screen || ! in_array( $screen->id, array( 'dashboard', 'plugins' ), true ) ) {
			return; // On the plugin's own page the problems are shown in its diagnostics.
		}
		$config = $this->client->config();
		if ( $config->is_valid() ) {
			return;
		}
		printf(
			'<div class="notice notice-error"><p><strong>%s</strong> %s</p></div>',
			esc_html__( 'Support Provisioning Portal is not configured:', 'support-provisioning-portal' ),
			esc_html( $config->problem_summary() )
		);
	}

	/**
	 * The page.
	 *
	 * @return void
	 */
	public function render() {
		echo '<div class="wrap spp-admin">';
		echo '<h1>' . esc_html__( 'Support Provisioning', 'support-provisioning-portal' ) . '</h1>';
		if ( null === SPP_Plugin::build_asset( 'admin/index' ) ) {
			echo '<div class="notice notice-warning inline"><p>' . esc_html__( 'The portal\'s user interface is not built (build/admin/index.js is missing): run npm run build in the plugin\'s repository.', 'support-provisioning-portal' ) . '</p></div>';
		}
		if ( current_user_can( 'manage_options' ) ) {
			$this->render_diagnostics();
		}
		echo '<div id="spp-admin-root"></div>';
		echo '</div>';
	}

	/**
	 * Configuration, sidecar health and directory sync (administrators).
	 *
	 * @return void
	 */
	private function render_diagnostics() {
		// phpcs:disable WordPress.Security.NonceVerification.Recommended -- display of a redirect's result only.
		$sync_result = isset( $_GET['spp_sync'] ) ? sanitize_key( wp_unslash( $_GET['spp_sync'] ) ) : '';
		if ( 'done' === $sync_result ) {
			printf(
				'<div class="notice notice-success is-dismissible"><p>%s</p></div>',
				esc_html(
					sprintf(
						/* translators: 1: users sent, 2: users marked deleted */
						__( 'Users synchronised: %1$d sent, %2$d marked deleted in the portal.', 'support-provisioning-portal' ),
						isset( $_GET['spp_upserted'] ) ? absint( $_GET['spp_upserted'] ) : 0,
						isset( $_GET['spp_deleted'] ) ? absint( $_GET['spp_deleted'] ) : 0
					)
				)
			);
		} elseif ( 'failed' === $sync_result ) {
			printf( '<div class="notice notice-error is-dismissible"><p>%s</p></div>', esc_html__( 'The user sync failed; see the status below.', 'support-provisioning-portal' ) );
		}
		// phpcs:enable

		$config = $this->client->config();
		$lines  = array();

		if ( ! $config->is_valid() ) {
			foreach ( $config->problems() as $problem ) {
				$lines[] = array( 'error', __( 'Configuration', 'support-provisioning-portal' ), $problem );
			}
		}

		$health = $this->client->health();
		if ( is_wp_error( $health ) ) {
			$lines[] = array( 'error', __( 'Sidecar', 'support-provisioning-portal' ), $health->get_error_message() );
		} else {
			$body = json_decode( $health['body'], true );
			if ( 200 === $health['status'] && is_array( $body ) && ! empty( $body['ok'] ) ) {
				$lines[] = array(
					'ok',
					__( 'Sidecar', 'support-provisioning-portal' ),
					sprintf(
						/* translators: 1: URL, 2: version */
						__( 'reachable at %1$s (version %2$s).', 'support-provisioning-portal' ),
						$config->url(),
						isset( $body['version'] ) ? (string) $body['version'] : '?'
					),
				);
				if ( $config->is_valid() ) {
					$lines[] = $this->signature_line();
				}
			} else {
				$lines[] = array(
					'error',
					__( 'Sidecar', 'support-provisioning-portal' ),
					sprintf(
						/* translators: 1: URL, 2: HTTP status */
						__( '%1$s/healthz answered HTTP %2$d, not the sidecar\'s health answer; check SPP_SIDECAR_URL.', 'support-provisioning-portal' ),
						$config->url(),
						$health['status']
					),
				);
			}
		}

		$lines[] = $this->sync_line();

		echo '<table class="widefat striped spp-diagnostics" style="max-width:60em;margin:1em 0"><tbody>';
		foreach ( $lines as list( $level, $label, $text ) ) {
			printf(
				'<tr><th scope="row" style="width:11em">%s</th><td><span class="spp-status spp-status-%s" style="color:%s">%s</span> %s</td></tr>',
				esc_html( $label ),
				esc_attr( $level ),
				'ok' === $level ? '#007017' : ( 'warning' === $level ? '#996800' : '#b32d2e' ),
				'ok' === $level ? '&#10003;' : '&#9888;',
				esc_html( $text )
			);
		}
		echo '</tbody></table>';

		printf(
			'<form method="post" action="%s" style="margin-bottom:1em"><input type="hidden" name="action" value="%s">%s',
			esc_url( admin_url( 'admin-post.php' ) ),
			esc_attr( SPP_Directory_Sync::ADMIN_ACTION ),
			wp_nonce_field( SPP_Directory_Sync::ADMIN_ACTION, '_wpnonce', true, false ) // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- WordPress's own field markup.
		);
		submit_button( __( 'Sync users now', 'support-provisioning-portal' ), 'secondary', 'submit', false );
		echo '</form>';
	}

	/**
	 * Whether the sidecar accepts this site's signature (a signed GET /v1/me as the current user).
	 *
	 * @return array{0:string,1:string,2:string}
	 */
	private function signature_line() {
		$label = __( 'Signing key', 'support-provisioning-portal' );
		$actor = SPP_Signer::current_actor();
		if ( null === $actor ) {
			return array( 'warning', $label, __( 'not checked (nobody logged in).', 'support-provisioning-portal' ) );
		}
		$answer = $this->client->request( 'GET', '/v1/me', '', '', $actor, 'health' );
		if ( is_wp_error( $answer ) ) {
			return array( 'error', $label, $answer->get_error_message() );
		}
		if ( 200 === $answer['status'] ) {
			return array(
				'ok',
				$label,
				sprintf(
					/* translators: %s: key id */
					__( '%s is accepted by the sidecar.', 'support-provisioning-portal' ),
					$this->client->config()->key_id()
				),
			);
		}
		$body = json_decode( $answer['body'], true );
		return array(
			'error',
			$label,
			sprintf(
				/* translators: 1: key id, 2: HTTP status, 3: sidecar's message */
				__( 'the sidecar refused a request signed with %1$s (HTTP %2$d: %3$s); SPP_SIDECAR_KEY_ID/SPP_SIDECAR_KEY must match a key in its SPP_SIGNING_KEYS, and the clocks must agree within 2 minutes.', 'support-provisioning-portal' ),
				$this->client->config()->key_id(),
				$answer['status'],
				is_array( $body ) && isset( $body['message'] ) ? $body['message'] : ''
			),
		);
	}

	/**
	 * The directory sync's state.
	 *
	 * @return array{0:string,1:string,2:string}
	 */
	private function sync_line() {
		$label = __( 'User directory', 'support-provisioning-portal' );
		$state = SPP_Directory_Sync::state();
		$when  = static function ( $ts ) {
			return $ts ? sprintf(
				/* translators: %s: human time difference */
				__( '%s ago', 'support-provisioning-portal' ),
				human_time_diff( (int) $ts )
			) : __( 'never', 'support-provisioning-portal' );
		};
		if ( $state['pending'] ) {
			$next = wp_next_scheduled( SPP_Directory_Sync::CRON_RETRY );
			return array(
				'error',
				$label,
				sprintf(
					/* translators: 1: error, 2: when, 3: next retry */
					__( 'out of date: the last push failed %2$s (%1$s); a full sync is retried %3$s, or use "Sync users now".', 'support-provisioning-portal' ),
					(string) $state['lastError'],
					$when( $state['lastFailure'] ),
					$next ? sprintf(
						/* translators: %s: human time difference */
						__( 'in %s', 'support-provisioning-portal' ),
						human_time_diff( time(), (int) $next )
					) : __( 'by the daily sync', 'support-provisioning-portal' )
				),
			);
		}
		return array(
			'ok',
			$label,
			sprintf(
				/* translators: 1: when, 2: when */
				__( 'in sync; last full sync %1$s, last change pushed %2$s.', 'support-provisioning-portal' ),
				$when( $state['lastFull'] ),
				$when( $state['lastSuccess'] )
			),
		);
	}
}
