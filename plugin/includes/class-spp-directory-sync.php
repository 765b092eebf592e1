<?php
/**
 * Keeps the sidecar's mirror of the WordPress users current, as the system actor: every change is
 * pushed (PUT/DELETE /v1/directory/users/:id), and a full snapshot (POST /v1/directory/sync) is sent on
 * activation, daily by wp-cron, by the admin page's "Sync users now" button, and as the retry after a
 * failure. So sharing by login or e-mail and the rights page know users (created by SSO, say) before
 * they ever open the portal.
 *
 * Who is in the directory (a WordPress fact; the sidecar decides what follows): on a single site every
 * user with a role; on a network (multisite, one sidecar for all its sites, as the wp-config constants
 * are the network's) every user with a role on some site, and the super admins. A user who loses their
 * last role is removed at once; so every site's daily sync sends the same list and never wipes another's.
 *
 * A failure never breaks saving a user: it is logged once, the state is remembered, and a full sync is
 * scheduled (wp-cron single event); the next successful push also runs it.
 *
 * @package SupportProvisioningPortal
 */

defined( 'ABSPATH' ) || exit;

/**
 * User directory sync.
 */
final class SPP_Directory_Sync {

	const CRON_DAILY   = 'spp_directory_sync_daily';
	const CRON_RETRY   = 'spp_directory_sync_retry';
	const STATE_OPTION = 'spp_directory_sync';
	const ADMIN_ACTION = 'spp_directory_sync';
	const RETRY_DELAY  = 300;

	/**
	 * Who the directory holds changed with model 2 (users with a role; a network's users network-wide), and
	 * an older plugin's syncs may have removed people it should hold: a site that ran another model sends a
	 * full sync at once, not at the next daily one.
	 */
	const MODEL        = 2;
	const MODEL_OPTION = 'spp_directory_model';

	/** Longest values the sidecar's directory accepts (sidecar/src/validation/schemas.ts). */

	/**
	 * Sidecar client.
	 *
	 * @var SPP_Sidecar_Client
	 */
	private $client;

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
		add_action( 'user_register', array( $this, 'on_user_register' ), 20, 1 );
		add_action( 'profile_update', array( $this, 'on_profile_update' ), 20, 2 );
		add_action( 'deleted_user', array( $this, 'on_deleted_user' ), 20, 1 );
		// A role given or taken (the profile page, bulk role changes, plugins) may put a user in or out.
		add_action( 'set_user_role', array( $this, 'on_role_change' ), 20, 1 );
		add_action( 'add_user_role', array( $this, 'on_role_change' ), 20, 1 );
		add_action( 'remove_user_role', array( $this, 'on_role_change' ), 20, 1 );
		if ( is_multisite() ) {
			add_action( 'add_user_to_blog', array( $this, 'on_role_change' ), 20, 1 );
			add_action( 'remove_user_from_blog', array( $this, 'on_removed_from_site' ), 20, 2 );
			add_action( 'make_spam_user', array( $this, 'on_role_change' ), 20, 1 );
			add_action( 'make_ham_user', array( $this, 'on_role_change' ), 20, 1 );
		}
		add_action( self::CRON_DAILY, array( $this, 'run_scheduled_sync' ) );
		add_action( self::CRON_RETRY, array( $this, 'run_scheduled_sync' ) );
		add_action( 'admin_post_' . self::ADMIN_ACTION, array( $this, 'handle_sync_now' ) );
	}

	/**
	 * A new user.
	 *
	 * @param int $user_id User id.
	 * @return void
	 */
	public function on_user_register( $user_id ) {
		$this->push_user( (int) $user_id );
	}

	/**
	 * A role given or taken, a site joined, a spam flag: the user is pushed, or removed if they left.
	 *
	 * @param int $user_id User id.
	 * @return void
	 */
	public function on_role_change( $user_id ) {
		$this->push_user( (int) $user_id );
	}

	/**
	 * Multisite: removed from a site. The hook runs before the removal, so that site is left out.
	 *
	 * @param int $user_id User id.
	 * @param int $blog_id Site id.
	 * @return void
	 */
	public function on_removed_from_site( $user_id, $blog_id ) {
		$this->push_user( (int) $user_id, (int) $blog_id );
	}

	/**
	 * A changed user: pushed when login, e-mail or display name changed.
	 *
	 * @param int          $user_id  User id.
	 * @param WP_User|null $old_user The user before the change.
	 * @return void
	 */
	public function on_profile_update( $user_id, $old_user = null ) {
		$user = get_userdata( (int) $user_id );
		if ( ! $user ) {
			return;
		}
		if ( $old_user instanceof WP_User && self::entry( $old_user ) === self::entry( $user ) ) {
			return; // A password or role change: nothing the directory holds.
		}
		$this->push_user( $user->ID );
	}

	/**
	 * A deleted user.
	 *
	 * @param int $user_id User id.
	 * @return void
	 */
	public function on_deleted_user( $user_id ) {
		$this->push_delete( (int) $user_id );
	}

	/**
	 * PUT /v1/directory/users/:id, or the removal when the user no longer belongs.
	 *
	 * @param int $user_id      User id.
	 * @param int $leaving_site A site the user is being removed from (its hook runs before), or 0.
	 * @return true|WP_Error
	 */
	public function push_user( $user_id, $leaving_site = 0 ) {
		$user = get_userdata( $user_id );
		if ( ! $user ) {
			return true;
		}
		if ( ! self::belongs( $user, $leaving_site ) ) {
			return $this->push_delete( $user->ID );
		}
		$entry = self::entry( $user );
		return $this->after_push( $this->send( 'PUT', '/v1/directory/users/' . $user->ID, SPP_Signer::json( $entry ), 'write' ), 'upsert of user ' . $user->ID );
	}

	/**
	 * DELETE /v1/directory/users/:id.
	 *
	 * @param int $user_id User id.
	 * @return true|WP_Error
	 */
	public function push_delete( $user_id ) {
		return $this->after_push( $this->send( 'DELETE', '/v1/directory/users/' . (int) $user_id, '', 'write' ), 'removal of user ' . (int) $user_id );
	}

	/**
	 * POST /v1/directory/sync with every user of the directory: everyone listed is upserted, everyone else
	 * is removed in the sidecar.
	 *
	 * @return array{upserted:int,deleted:int}|WP_Error
	 */
	public function full_sync() {
		$users = array();
		foreach ( $this->site_users() as $user ) {
			$users[] = array( 'id' => (int) $user->ID ) + self::entry( $user );
		}
		$result = $this->send( 'POST', '/v1/directory/sync', SPP_Signer::json( array( 'users' => $users ) ), 'sync' );
		if ( is_wp_error( $result ) ) {
			$this->mark_failed( $result, 'full sync' );
			return $result;
		}
		$answer = json_decode( $result, true );
		$counts = array(
			'upserted' => (int) ( $answer['upserted'] ?? count( $users ) ),
			'deleted'  => (int) ( $answer['deleted'] ?? 0 ),
		);
		$this->save_state(
			array(
				'pending'     => false,
				'lastError'   => null,
				'lastSuccess' => time(),
				'lastFull'    => time(),
				'counts'      => $counts,
			)
		);
		wp_clear_scheduled_hook( self::CRON_RETRY );
		return $counts;
	}

	/**
	 * Cron: the daily sync and the retry.
	 *
	 * @return void
	 */
	public function run_scheduled_sync() {
		$this->full_sync();
	}

	/**
	 * Admin page button (admin-post.php?action=spp_directory_sync, with a nonce, for manage_options).
	 *
	 * @return void
	 */
	public function handle_sync_now() {
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to synchronise users.', 'support-provisioning-portal' ), 403 );
		}
		check_admin_referer( self::ADMIN_ACTION );
		$result = $this->full_sync();
		$args   = is_wp_error( $result )
			? array( 'spp_sync' => 'failed' )
			: array(
				'spp_sync'     => 'done',
				'spp_upserted' => $result['upserted'],
				'spp_deleted'  => $result['deleted'],
			);
		wp_safe_redirect( add_query_arg( $args, admin_url( 'admin.php?page=' . SPP_Admin_Page::SLUG ) ) );
		exit;
	}

	/**
	 * Makes sure the daily sync is scheduled.
	 *
	 * @return void
	 */
	public static function schedule_daily() {
		if ( ! wp_next_scheduled( self::CRON_DAILY ) ) {
			wp_schedule_event( time() + HOUR_IN_SECONDS, 'daily', self::CRON_DAILY );
		}
	}

	/**
	 * A full sync now (as a wp-cron event) when this site last synced with another directory model (on init).
	 *
	 * @return void
	 */
	public static function resync_after_model_change() {
		if ( (int) get_option( self::MODEL_OPTION, 0 ) === self::MODEL ) {
			return;
		}
		update_option( self::MODEL_OPTION, self::MODEL, true ); // Autoloaded: read on every request.
		if ( ! wp_next_scheduled( self::CRON_RETRY ) ) {
			wp_schedule_single_event( time(), self::CRON_RETRY );
		}
	}

	/**
	 * Removes both scheduled events.
	 *
	 * @return void
	 */
	public static function unschedule() {
		wp_clear_scheduled_hook( self::CRON_DAILY );
		wp_clear_scheduled_hook( self::CRON_RETRY );
	}

	/**
	 * What the directory holds of a user: {login, email, name}, within the sidecar's limits.
	 *
	 * @param WP_User $user User.
	 * @return array{login:string,email:string,name:string}
	 */
	public static function entry( $user ) {
		return array(
			'login' => SPP_Signer::clip( (string) $user->user_login, SPP_Contract::MAX_LOGIN ),
			'email' => SPP_Signer::clip( (string) $user->user_email, SPP_Contract::MAX_EMAIL ),
			'name'  => SPP_Signer::clip( (string) $user->display_name, SPP_Contract::MAX_NAME ),
		);
	}

	/**
	 * The sync state shown on the admin page.
	 *
	 * @return array{pending:bool,lastError:?string,lastSuccess:?int,lastFull:?int,lastFailure:?int,counts:?array}
	 */
	public static function state() {
		$state = get_option( self::STATE_OPTION, array() );
		return array_merge(
			array(
				'pending'     => false,
				'lastError'   => null,
				'lastSuccess' => null,
				'lastFull'    => null,
				'lastFailure' => null,
				'counts'      => null,
			),
			is_array( $state ) ? $state : array()
		);
	}

	/**
	 * Whether a user is in the directory: a role on this site, or on a network a role on some site (super
	 * admins always) and not marked as spam.
	 *
	 * @param WP_User $user         User.
	 * @param int     $leaving_site A site the user is being removed from, not counted; or 0.
	 * @return bool
	 */
	public static function belongs( $user, $leaving_site = 0 ) {
		if ( ! is_multisite() ) {
			return ! empty( $user->roles );
		}
		if ( ! empty( $user->spam ) ) {
			return false;
		}
		if ( is_super_admin( $user->ID ) ) {
			return true;
		}
		$sites = get_blogs_of_user( $user->ID );
		unset( $sites[ $leaving_site ] );
		return array() !== $sites;
	}

	/**
	 * Whether the user holds a role on the site they act from (super admins do on every site of theirs).
	 *
	 * @param WP_User $user User.
	 * @return bool
	 */
	public static function is_site_member( $user ) {
		if ( is_multisite() && is_super_admin( $user->ID ) ) {
			return true;
		}
		return ( ! is_multisite() || is_user_member_of_blog( $user->ID ) ) && ! empty( $user->roles );
	}

	/**
	 * The directory's users (see belongs()): every user of the installation, network-wide on multisite.
	 *
	 * @return object[] Rows with ID, user_login, user_email, display_name.
	 */
	private function site_users() {
		$query = array(
			'fields'  => array( 'ID', 'user_login', 'user_email', 'display_name' ),
			'orderby' => 'ID',
			'order'   => 'ASC',
		);
		if ( ! is_multisite() ) {
			// Every user with a role, as belongs() says, in one query and without loading each user.
			return get_users( $query + array( 'role__in' => array_keys( wp_roles()->roles ) ) );
		}
		$users = get_users( $query + array( 'blog_id' => 0 ) );
		return array_values(
			array_filter(
				$users,
				static function ( $row ) {
					return self::belongs( new WP_User( (int) $row->ID ) );
				}
			)
		);
	}

	/**
	 * Sends one system call; any answer other than 2xx is a failure.
	 *
	 * @param string $method Method.
	 * @param string $path   Path.
	 * @param string $body   Body.
	 * @param string $kind   Timeout class.
	 * @return string|WP_Error The response body.
	 */
	private function send( $method, $path, $body, $kind ) {
		$answer = $this->client->request( $method, $path, '', $body, SPP_Signer::system_actor(), $kind );
		if ( is_wp_error( $answer ) ) {
			return $answer;
		}
		if ( $answer['status'] < 200 || $answer['status'] >= 300 ) {
			$decoded = json_decode( $answer['body'], true );
			$message = is_array( $decoded ) && isset( $decoded['message'] ) ? (string) $decoded['message'] : substr( $answer['body'], 0, 200 );
			return new WP_Error(
				'spp_directory_refused',
				sprintf( 'the sidecar answered %s %s with HTTP %d: %s', $method, $path, $answer['status'], $message ),
				array( 'status' => $answer['status'] )
			);
		}
		return $answer['body'];
	}

	/**
	 * After a single push: on failure remember and schedule a full sync; on success, if an earlier change
	 * was missed, catch up with a full sync now.
	 *
	 * @param string|WP_Error $result Result of send().
	 * @param string          $what   What was pushed (for the log).
	 * @return true|WP_Error
	 */
	private function after_push( $result, $what ) {
		if ( is_wp_error( $result ) ) {
			$this->mark_failed( $result, $what );
			return $result;
		}
		if ( self::state()['pending'] ) {
			$this->full_sync();
		} else {
			$this->save_state( array( 'lastSuccess' => time() ) );
		}
		return true;
	}

	/**
	 * Remembers a failure, logs it once (until a sync succeeds again) and schedules a full sync.
	 *
	 * @param WP_Error $error Error.
	 * @param string   $what  What failed.
	 * @return void
	 */
	private function mark_failed( WP_Error $error, $what ) {
		$state = self::state();
		if ( ! $state['pending'] ) {
			error_log( // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log -- the administrator's log.
				sprintf(
					'Support Provisioning Portal: the user directory %s failed (%s); a full sync is scheduled in %d minutes (wp-cron event %s), or use "Sync users now" on the Support Provisioning admin page. Further failures are not logged until a sync succeeds.',
					$what,
					$error->get_error_message(),
					(int) ( self::RETRY_DELAY / 60 ),
					self::CRON_RETRY
				)
			);
		}
		$this->save_state(
			array(
				'pending'     => true,
				'lastError'   => $error->get_error_message(),
				'lastFailure' => time(),
			)
		);
		if ( ! wp_next_scheduled( self::CRON_RETRY ) ) {
			wp_schedule_single_event( time() + self::RETRY_DELAY, self::CRON_RETRY );
		}
	}

	/**
	 * Merges into the stored state (not autoloaded: read on the admin page and after pushes only).
	 *
	 * @param array<string,mixed> $changes Changes.
	 * @return void
	 */
	private function save_state( array $changes ) {
		$state = array_merge( self::state(), $changes );
		if ( false === get_option( self::STATE_OPTION, false ) ) {
			add_option( self::STATE_OPTION, $state, '', 'no' );
		} else {
			update_option( self::STATE_OPTION, $state, false );
		}
	}
}
