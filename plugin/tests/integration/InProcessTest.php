<?php
/**
 * What HTTP cannot see, checked with WordPress loaded in this process (same tree, same database as the
 * live site): the react-jsx-runtime shim, block registration, the actor, configuration errors, failure
 * handling of the directory sync, activation, deactivation and uninstall.
 *
 * @package SupportProvisioningPortal
 */

/**
 * In-process checks.
 */
final class InProcessTest extends SPP_Integration_Test_Case {

	protected function tearDown(): void {
		wp_set_current_user( 0 );
		parent::tearDown();
	}

	/**
	 * A client of the live sidecar with this site's configuration.
	 *
	 * @return SPP_Sidecar_Client
	 */
	private static function live_client() {
		return new SPP_Sidecar_Client( SPP_Config::load() );
	}

	/**
	 * A client whose sidecar URL nobody listens on.
	 *
	 * @return SPP_Sidecar_Client
	 */
	private static function dead_client() {
		$sock = stream_socket_server( 'tcp://127.0.0.1:0' );
		$name = stream_socket_get_name( $sock, false );
		fclose( $sock );
		$config = SPP_Config::load();
		return new SPP_Sidecar_Client(
			new SPP_Config(
				array(
					'SPP_SIDECAR_URL'    => 'http://' . $name,
					'SPP_SIDECAR_KEY_ID' => $config->key_id(),
					'SPP_SIDECAR_KEY'    => bin2hex( $config->key() ),
				)
			)
		);
	}

	/**
	 * WordPress before 6.6 gets the plugin's shim; newer ones keep their own script.
	 */
	public function test_react_jsx_runtime_handle(): void {
		$script = wp_scripts()->query( 'react-jsx-runtime', 'registered' );
		$this->assertNotFalse( $script, 'react-jsx-runtime is not registered' );
		if ( version_compare( $GLOBALS['wp_version'], '6.6', '<' ) ) {
			$bundled = is_readable( plugin_dir_path( SPP_PLUGIN_FILE ) . 'build/polyfills/react-jsx-runtime.js' );
			$this->assertStringEndsWith( $bundled ? '/build/polyfills/react-jsx-runtime.js' : '/assets/js/react-jsx-runtime.js', $script->src );
			$this->assertSame( array( 'react' ), $script->deps );
			$res = ( new SPP_Http() )->request( 'GET', $script->src );
			$this->assertSame( 200, $res->status );
			$this->assertStringContainsString( 'ReactJSXRuntime', $res->body );
			$this->assertSame( 200, ( new SPP_Http() )->request( 'GET', plugins_url( 'assets/js/react-jsx-runtime.js', SPP_PLUGIN_FILE ) )->status );
		} else {
			$this->assertStringContainsString( 'wp-includes/js/dist/vendor/react-jsx-runtime', $script->src );
		}
	}

	/**
	 * The block exists exactly when the UI build provides build/portal/block.json; the shortcode always.
	 */
	public function test_block_and_shortcode_registration(): void {
		$built = is_readable( SPP_Portal::block_dir() . '/block.json' );
		$this->assertSame( $built, WP_Block_Type_Registry::get_instance()->is_registered( SPP_Portal::BLOCK ) );
		$this->assertTrue( shortcode_exists( SPP_Portal::SHORTCODE ) );
		wp_set_current_user( self::user( 'support1' )['id'] );
		$this->assertStringStartsWith( '<div class="spp-portal" data-spp-portal="1"></div>', do_shortcode( '[support_provisioning_portal]' ) );
		if ( $built ) {
			$html = do_blocks( '<!-- wp:support-provisioning/portal /-->' );
			$this->assertStringContainsString( '<div class="spp-portal" data-spp-portal="1"></div>', $html );
		}
		wp_set_current_user( 0 );
		$this->assertStringContainsString( 'spp-portal-login', do_shortcode( '[support_provisioning_portal]' ) );
	}

	/**
	 * The actor comes from the logged-in WordPress user and the request's REMOTE_ADDR / User-Agent only.
	 */
	public function test_actor_from_current_user(): void {
		$this->assertNull( SPP_Signer::current_actor() );
		$_SERVER['REMOTE_ADDR']     = '192.0.2.44';
		$_SERVER['HTTP_USER_AGENT'] = ' Test-Agent/1.0 ';
		$admin                      = get_userdata( self::user( 'admin' )['id'] );
		wp_set_current_user( $admin->ID );
		$this->assertSame(
			array(
				'id'        => $admin->ID,
				'login'     => 'admin',
				'email'     => $admin->user_email,
				'name'      => $admin->display_name,
				'caps'      => array( 'manage_options' ),
				'member'    => true,
				'ip'        => '192.0.2.44',
				'userAgent' => 'Test-Agent/1.0',
			),
			SPP_Signer::current_actor()
		);
		$support = get_userdata( self::user( 'support1' )['id'] );
		wp_set_current_user( $support->ID );
		$actor = SPP_Signer::current_actor();
		$this->assertSame( array(), $actor['caps'] );
		$this->assertTrue( $actor['member'] );
		$this->assertSame( 'support1', $actor['login'] );
		$this->assertSame( 'Sam Support', $actor['name'] );
		$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
		unset( $_SERVER['HTTP_USER_AGENT'] );
	}

	/**
	 * Missing configuration: 503 spp_sidecar_unavailable naming the constant (administrators), a plain
	 * sentence for everybody else.
	 */
	public function test_missing_configuration_is_503_naming_the_constant(): void {
		$client     = new SPP_Sidecar_Client( new SPP_Config( array( 'SPP_SIDECAR_KEY_ID' => 'k1' ) ) );
		$controller = new SPP_Rest_Controller( $client );
		wp_set_current_user( self::user( 'admin' )['id'] );
		$error = $controller->forward( new WP_REST_Request( 'GET', '/support-provisioning/v1/me' ), '/me', 'read' );
		$this->assertWPErrorLike( $error, 503 );
		$this->assertStringContainsString( 'SPP_SIDECAR_KEY is missing', $error->get_error_message() );
		$this->assertStringNotContainsString( 'SPP_SIDECAR_KEY_ID is', $error->get_error_message() );
		$this->assertSame( array( 'SPP_SIDECAR_KEY' ), array_keys( $error->get_error_data()['settings'] ) );

		wp_set_current_user( self::user( 'support1' )['id'] );
		$error = $controller->forward( new WP_REST_Request( 'GET', '/support-provisioning/v1/me' ), '/me', 'read' );
		$this->assertWPErrorLike( $error, 503 );
		$this->assertStringNotContainsString( 'SPP_SIDECAR_KEY', $error->get_error_message() );
		$this->assertArrayNotHasKey( 'settings', $error->get_error_data() );
	}

	/**
	 * Unreachable sidecar: 503 with the address and what to do.
	 */
	public function test_unreachable_is_503_with_an_actionable_message(): void {
		$client = self::dead_client();
		wp_set_current_user( self::user( 'admin' )['id'] );
		$error = ( new SPP_Rest_Controller( $client ) )->forward( new WP_REST_Request( 'GET', '/support-provisioning/v1/me' ), '/me', 'read' );
		$this->assertWPErrorLike( $error, 503 );
		$this->assertMatchesRegularExpression( '#^The provisioning service at http://127\.0\.0\.1:\d+ is not reachable: .+; start it or check SPP_SIDECAR_URL in wp-config\.php\.$#', $error->get_error_message() );
		$this->assertInstanceOf( WP_Error::class, $client->health() );
	}

	/**
	 * A failed directory push: the user save goes on, one log line, a retry scheduled, and the next
	 * successful sync clears it all.
	 */
	public function test_directory_failure_is_logged_once_and_retried(): void {
		$log = tempnam( sys_get_temp_dir(), 'spp-log' );
		$old = ini_set( 'error_log', $log );
		delete_transient( 'spp_logged_unreachable' );
		wp_clear_scheduled_hook( SPP_Directory_Sync::CRON_RETRY );
		try {
			$dead = new SPP_Directory_Sync( self::dead_client() );
			$this->assertInstanceOf( WP_Error::class, $dead->push_user( self::user( 'support1' )['id'] ) );
			$this->assertInstanceOf( WP_Error::class, $dead->push_user( self::user( 'support2' )['id'] ) );
			$this->assertInstanceOf( WP_Error::class, $dead->full_sync() );
			$state = SPP_Directory_Sync::state();
			$this->assertTrue( $state['pending'] );
			$this->assertStringContainsString( 'is not reachable', $state['lastError'] );
			$next = wp_next_scheduled( SPP_Directory_Sync::CRON_RETRY );
			$this->assertNotFalse( $next );
			$this->assertEqualsWithDelta( time() + SPP_Directory_Sync::RETRY_DELAY, $next, 30 );
			$lines = (string) file_get_contents( $log );
			$this->assertSame( 1, substr_count( $lines, 'the user directory' ), $lines );

			// The retry event runs a full sync against the live sidecar.
			$live = new SPP_Directory_Sync( self::live_client() );
			$live->run_scheduled_sync();
			$state = SPP_Directory_Sync::state();
			$this->assertFalse( $state['pending'] );
			$this->assertFalse( wp_next_scheduled( SPP_Directory_Sync::CRON_RETRY ) );
		} finally {
			ini_set( 'error_log', (string) $old );
			unlink( $log );
		}
	}

	/**
	 * Deactivation leaves no event behind; activation schedules the daily sync and runs a full one.
	 */
	public function test_deactivate_and_activate(): void {
		SPP_Plugin::deactivate();
		$this->assertFalse( wp_next_scheduled( SPP_Directory_Sync::CRON_DAILY ) );
		$this->assertFalse( wp_next_scheduled( SPP_Directory_Sync::CRON_RETRY ) );
		$before = time();
		SPP_Plugin::activate();
		$this->assertNotFalse( wp_next_scheduled( SPP_Directory_Sync::CRON_DAILY ) );
		$this->assertGreaterThanOrEqual( $before, SPP_Directory_Sync::state()['lastFull'] );
	}

	/**
	 * A site that synced with an older directory model sends a full sync at once (a wp-cron event due
	 * now), once.
	 */
	public function test_full_sync_after_a_directory_model_change(): void {
		wp_clear_scheduled_hook( SPP_Directory_Sync::CRON_RETRY );
		update_option( SPP_Directory_Sync::MODEL_OPTION, 1 );
		SPP_Directory_Sync::resync_after_model_change();
		$due = wp_next_scheduled( SPP_Directory_Sync::CRON_RETRY );
		$this->assertNotFalse( $due );
		$this->assertLessThanOrEqual( time(), $due );
		$this->assertSame( SPP_Directory_Sync::MODEL, (int) get_option( SPP_Directory_Sync::MODEL_OPTION ) );

		wp_clear_scheduled_hook( SPP_Directory_Sync::CRON_RETRY );
		SPP_Directory_Sync::resync_after_model_change();
		$this->assertFalse( wp_next_scheduled( SPP_Directory_Sync::CRON_RETRY ), 'a second sync for the same model' );
	}

	/**
	 * Activation with the sidecar down still succeeds and schedules the retry.
	 */
	public function test_activation_with_the_sidecar_down(): void {
		$dead = new SPP_Directory_Sync( self::dead_client() );
		$this->assertInstanceOf( WP_Error::class, $dead->full_sync() );
		$this->assertNotFalse( wp_next_scheduled( SPP_Directory_Sync::CRON_RETRY ) );
		( new SPP_Directory_Sync( self::live_client() ) )->full_sync();
		$this->assertFalse( wp_next_scheduled( SPP_Directory_Sync::CRON_RETRY ) );
	}

	/**
	 * Uninstall removes the plugin's option, transients and events, nothing else; then the test
	 * activates again so the site is as before.
	 */
	public function test_uninstall_removes_only_plugin_data(): void {
		global $wpdb;
		set_transient( 'spp_logged_unreachable', 1, 60 );
		set_transient( 'spp_logged_signature', 1, 60 );
		wp_schedule_single_event( time() + 600, SPP_Directory_Sync::CRON_RETRY );
		$this->assertNotFalse( get_option( SPP_Directory_Sync::STATE_OPTION ) );
		$users_before = count_users()['total_users'];
		$blogname     = get_option( 'blogname' );

		if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
			define( 'WP_UNINSTALL_PLUGIN', plugin_basename( SPP_PLUGIN_FILE ) );
		}
		include plugin_dir_path( SPP_PLUGIN_FILE ) . 'uninstall.php';
		wp_cache_flush();

		$left = $wpdb->get_col( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE '%spp\\_%'" ); // phpcs:ignore
		$this->assertSame( array(), $left );
		$this->assertFalse( wp_next_scheduled( SPP_Directory_Sync::CRON_DAILY ) );
		$this->assertFalse( wp_next_scheduled( SPP_Directory_Sync::CRON_RETRY ) );
		$this->assertStringNotContainsString( 'spp_', (string) wp_json_encode( _get_cron_array() ) );
		$this->assertSame( $users_before, count_users()['total_users'] );
		$this->assertSame( $blogname, get_option( 'blogname' ) );
		$this->assertTrue( is_plugin_active( plugin_basename( SPP_PLUGIN_FILE ) ) );

		SPP_Plugin::activate();
		$this->assertNotFalse( wp_next_scheduled( SPP_Directory_Sync::CRON_DAILY ) );
	}

	/**
	 * The plugin uses no folder name: its basename is whatever folder it was installed in.
	 */
	public function test_no_folder_name_assumed(): void {
		$source = (string) file_get_contents( plugin_dir_path( SPP_PLUGIN_FILE ) . 'support-provisioning-portal.php' );
		foreach ( glob( plugin_dir_path( SPP_PLUGIN_FILE ) . 'includes/*.php' ) as $file ) {
			$source .= (string) file_get_contents( $file );
		}
		$this->assertStringNotContainsString( 'plugins/support-provisioning-portal', $source );
		$this->assertStringNotContainsString( "plugins_url( 'support-provisioning-portal", $source );
	}

	/**
	 * A large CSV export passes through WordPress a chunk at a time: it is received into a temporary
	 * file and sent from it, so PHP's memory grows by far less than the export. A stand-in sidecar
	 * (PHP's built-in server) sends 24 MB, which the real one would need a very long log for; the
	 * stand-in ignores the signature, which is all that differs. The temporary file is gone afterwards.
	 */
	public function test_large_csv_export_is_never_held_in_memory(): void {
		$lines  = 240 * 1024;
		$router = sys_get_temp_dir() . '/spp-csv-router-' . getmypid() . '.php';
		file_put_contents(
			$router,
			'<?php header( "Content-Type: text/csv; charset=utf-8" ); header( "Content-Disposition: attachment; filename=\"audit-log.csv\"" );'
			. ' $line = str_repeat( "x", 99 ) . "\n"; for ( $i = 0; $i < ' . $lines . '; $i++ ) { echo $line; }'
		);
		$sock = stream_socket_server( 'tcp://127.0.0.1:0' );
		$addr = stream_socket_get_name( $sock, false );
		fclose( $sock );
		$null   = array( 'file', '/dev/null', 'a' );
		$server = proc_open( array( PHP_BINARY, '-S', $addr, $router ), array( 0 => array( 'file', '/dev/null', 'r' ), 1 => $null, 2 => $null ), $pipes );
		try {
			for ( $i = 0; $i < 100 && ! @fsockopen( 'tcp://' . $addr ); $i++ ) { // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged -- waiting for it to listen.
				usleep( 50000 );
			}
			$config = SPP_Config::load();
			$client = new SPP_Sidecar_Client(
				new SPP_Config(
					array(
						'SPP_SIDECAR_URL'    => 'http://' . $addr,
						'SPP_SIDECAR_KEY_ID' => $config->key_id(),
						'SPP_SIDECAR_KEY'    => bin2hex( $config->key() ),
					)
				)
			);
			wp_set_current_user( self::user( 'admin' )['id'] );
			$request = new WP_REST_Request( 'GET', '/support-provisioning/v1/audit' );
			$request->set_query_params( array( 'format' => 'csv' ) );

			memory_reset_peak_usage();
			$before   = memory_get_usage();
			$response = ( new SPP_Rest_Controller( $client ) )->forward( $request, '/audit', 'proxmox' );
			$this->assertInstanceOf( SPP_Raw_Response::class, $response );
			$file  = $response->get_file();
			$sent  = 0;
			$round = hash_init( 'sha256' );
			ob_start(
				function ( $chunk ) use ( &$sent, $round ) {
					$sent += strlen( $chunk );
					hash_update( $round, $chunk );
					return '';
				},
				SPP_Raw_Response::CHUNK_BYTES
			);
			$this->assertTrue( SPP_Raw_Response::serve( false, $response, $request ) );
			ob_end_flush();
			$grew = memory_get_peak_usage() - $before;

			$this->assertSame( $lines * 100, $sent );
			$this->assertSame( hash( 'sha256', str_repeat( str_repeat( 'x', 99 ) . "\n", $lines ) ), hash_final( $round ) );
			$this->assertLessThan( 4 * 1024 * 1024, $grew, "PHP's memory grew by $grew bytes for a " . ( $lines * 100 ) . '-byte export' );
			$this->assertFileExists( $file );
			unset( $response );
			$this->assertFileDoesNotExist( $file );
		} finally {
			remove_filter( 'rest_send_nocache_headers', '__return_false', PHP_INT_MAX );
			proc_terminate( $server );
			proc_close( $server );
			unlink( $router );
		}
	}

	/**
	 * A refused download is the sidecar's JSON envelope, read back from the file, which is then gone.
	 */
	public function test_refused_download_is_the_envelope(): void {
		wp_set_current_user( self::user( 'support1' )['id'] );
		$request = new WP_REST_Request( 'GET', '/support-provisioning/v1/audit' );
		$request->set_query_params( array( 'format' => 'csv' ) );
		$before = glob( get_temp_dir() . 'spp-download-*' );
		$error  = ( new SPP_Rest_Controller( self::live_client() ) )->forward( $request, '/audit', 'proxmox' );
		$this->assertInstanceOf( WP_REST_Response::class, $error );
		$this->assertNotInstanceOf( SPP_Raw_Response::class, $error );
		$this->assertSame( 403, $error->get_status() );
		$this->assertSame( 'spp_forbidden', ( (array) $error->get_data() )['code'] ?? null );
		$this->assertSame( $before, glob( get_temp_dir() . 'spp-download-*' ) );
	}

	/**
	 * A download that gets no answer (the sidecar unreachable, or not configured) leaves no temporary file.
	 */
	public function test_unanswered_download_leaves_no_file(): void {
		wp_set_current_user( self::user( 'admin' )['id'] );
		$request = new WP_REST_Request( 'GET', '/support-provisioning/v1/audit' );
		$request->set_query_params( array( 'format' => 'csv' ) );
		$before       = glob( get_temp_dir() . 'spp-download-*' );
		$unconfigured = new SPP_Sidecar_Client( new SPP_Config( array( 'SPP_SIDECAR_URL' => 'http://127.0.0.1:1' ) ) );
		foreach ( array( self::dead_client(), $unconfigured ) as $client ) {
			$this->assertInstanceOf( WP_Error::class, ( new SPP_Rest_Controller( $client ) )->forward( $request, '/audit', 'proxmox' ) );
			$this->assertSame( $before, glob( get_temp_dir() . 'spp-download-*' ) );
		}
	}

	/**
	 * Asserts a WP_Error spp_sidecar_unavailable with a status.
	 *
	 * @param mixed $error  Value.
	 * @param int   $status Status.
	 */
	private function assertWPErrorLike( $error, int $status ): void {
		$this->assertInstanceOf( WP_Error::class, $error );
		$this->assertSame( 'spp_sidecar_unavailable', $error->get_error_code() );
		$this->assertSame( $status, $error->get_error_data()['status'] );
	}
}
