<?php
/**
 * The sidecar's user directory follows WordPress: a user created, changed or deleted in WordPress is
 * there (or gone) in GET /users before they ever open the portal; "Sync users now" sends everyone.
 *
 * @package SupportProvisioningPortal
 */

/**
 * Directory sync.
 */
final class DirectorySyncTest extends SPP_Integration_Test_Case {

	/**
	 * The directory entry of a login in the sidecar (via WordPress, as the admin), or null.
	 *
	 * @param string $login Login.
	 * @return array<string,mixed>|null
	 */
	private static function listed( $login ) {
		$res = self::as_admin( 'GET', '/users?per_page=100&search=' . rawurlencode( $login ) );
		if ( 200 !== $res->status ) {
			throw new RuntimeException( $res->describe() );
		}
		foreach ( $res->json() as $user ) {
			if ( $user['login'] === $login ) {
				return $user;
			}
		}
		return null;
	}

	/**
	 * Create (REST, as a script would, or SSO), change, delete: each visible in the sidecar at once.
	 */
	public function test_user_lifecycle_reaches_the_directory(): void {
		$login = 'spp-dir-' . getmypid() . '-' . wp_rand( 1000, 9999 );
		$name  = "Béa O'Neil " . getmypid();
		$res   = self::as_script(
			'POST',
			'/wp-json/wp/v2/users',
			array(
				'username' => $login,
				'email'    => $login . '@example.test',
				'password' => wp_generate_password( 20 ),
				'name'     => $name,
				'roles'    => array( 'subscriber' ),
			)
		);
		$this->assertSame( 201, $res->status, $res->describe() );
		$id = $res->json()['id'];

		$entry = self::listed( $login );
		$this->assertNotNull( $entry, "$login is not in the sidecar's directory" );
		$this->assertSame( $id, $entry['id'] );
		$this->assertSame( $login . '@example.test', $entry['email'] );
		$this->assertSame( $name, $entry['name'] );
		$this->assertSame( array(), $entry['rights'] );

		// Shareable by e-mail right away: the admin grants them portal.view and shares a deployment.
		$grant = self::as_admin( 'PUT', '/users/' . $id, array( 'rights' => array( 'portal.view' ) ) );
		$this->assertSame( 200, $grant->status, $grant->describe() );

		$res = self::as_script( 'POST', '/wp-json/wp/v2/users/' . $id, array( 'email' => $login . '@changed.test' ) );
		$this->assertSame( 200, $res->status, $res->describe() );
		$this->assertSame( $login . '@changed.test', self::listed( $login )['email'] );

		$res = self::as_script( 'DELETE', '/wp-json/wp/v2/users/' . $id . '?force=true&reassign=' . self::user( 'admin' )['id'] );
		$this->assertSame( 200, $res->status, $res->describe() );
		$this->assertNull( self::listed( $login ) );

		wp_cache_flush();
		$this->assertFalse( SPP_Directory_Sync::state()['pending'] );
	}

	/**
	 * A user who loses their last role leaves the directory at once, rights and all, and comes back
	 * without rights when given a role again (the role hooks, in this process as in wp-admin).
	 */
	public function test_losing_the_last_role_removes_from_the_directory(): void {
		$login = 'spp-role-' . getmypid() . '-' . wp_rand( 1000, 9999 );
		$id    = wp_insert_user(
			array(
				'user_login' => $login,
				'user_email' => $login . '@example.test',
				'user_pass'  => wp_generate_password( 20 ),
				'role'       => 'subscriber',
			)
		);
		$this->assertIsInt( $id );
		$this->assertNotNull( self::listed( $login ) );
		$grant = self::as_admin( 'PUT', '/users/' . $id, array( 'rights' => array( 'portal.view' ) ) );
		$this->assertSame( 200, $grant->status, $grant->describe() );

		( new WP_User( $id ) )->set_role( '' );
		$this->assertNull( self::listed( $login ), 'still listed without a role' );
		clean_user_cache( $id );
		$user = get_userdata( $id );
		$this->assertFalse( SPP_Directory_Sync::is_site_member( $user ) );
		wp_set_current_user( $id );
		$actor = SPP_Signer::current_actor(); // still logged in to WordPress, no longer a member
		wp_set_current_user( 0 );
		$this->assertFalse( $actor['member'] );
		// A full sync does not list her either (it would bring her back otherwise).
		$this->assertNotInstanceOf( WP_Error::class, ( new SPP_Directory_Sync( new SPP_Sidecar_Client( SPP_Config::load() ) ) )->full_sync() );
		$this->assertNull( self::listed( $login ), 'listed again by the full sync' );
		$this->assertSame( 403, self::sidecar_direct( 'GET', '/v1/me', $actor )->status );

		( new WP_User( $id ) )->set_role( 'subscriber' );
		clean_user_cache( $id );
		$this->assertTrue( SPP_Directory_Sync::is_site_member( get_userdata( $id ) ) );
		$entry = self::listed( $login );
		$this->assertNotNull( $entry, 'not back with a role' );
		$this->assertSame( array(), $entry['rights'] );
		require_once ABSPATH . 'wp-admin/includes/user.php';
		wp_delete_user( $id );
	}

	/**
	 * "Sync users now" on the admin page (admin-post.php with a nonce): a full sync, reported back.
	 */
	public function test_sync_users_now_button(): void {
		list( $http ) = self::session( 'admin' );
		$page         = $http->request( 'GET', self::url( '/wp-admin/admin.php?page=support-provisioning' ) );
		$this->assertSame( 200, $page->status );
		$this->assertMatchesRegularExpression( '/name="action" value="spp_directory_sync"/', $page->body );
		$this->assertSame( 1, preg_match( '/name="_wpnonce" value="([0-9a-f]+)"/', $page->body, $m ) );

		$res = $http->request(
			'POST',
			self::url( '/wp-admin/admin-post.php' ),
			array( 'Content-Type' => 'application/x-www-form-urlencoded' ),
			http_build_query(
				array(
					'action'           => 'spp_directory_sync',
					'_wpnonce'         => $m[1],
					'_wp_http_referer' => '/wp-admin/admin.php?page=support-provisioning',
				)
			)
		);
		$this->assertSame( 302, $res->status, $res->describe() );
		$this->assertStringContainsString( 'spp_sync=done', (string) $res->header( 'location' ) );
		$count = count_users()['total_users'];
		$this->assertStringContainsString( 'spp_upserted=' . $count, (string) $res->header( 'location' ) );

		$after = $http->request( 'GET', (string) $res->header( 'location' ) );
		$this->assertStringContainsString( "Users synchronised: $count sent", $after->body );
		wp_cache_flush();
		$state = SPP_Directory_Sync::state();
		$this->assertFalse( $state['pending'] );
		$this->assertGreaterThanOrEqual( time() - 60, $state['lastFull'] );
	}

	/**
	 * Without the nonce, or as a subscriber, the button does nothing.
	 */
	public function test_sync_users_now_needs_nonce_and_manage_options(): void {
		list( $http ) = self::session( 'admin' );
		$res          = $http->request( 'POST', self::url( '/wp-admin/admin-post.php' ), array( 'Content-Type' => 'application/x-www-form-urlencoded' ), 'action=spp_directory_sync' );
		$this->assertContains( $res->status, array( 403, 200 ) );
		$this->assertStringContainsString( 'link you followed has expired', $res->body );

		list( $sub ) = self::session( 'support1' );
		$res         = $sub->request( 'POST', self::url( '/wp-admin/admin-post.php' ), array( 'Content-Type' => 'application/x-www-form-urlencoded' ), 'action=spp_directory_sync' );
		$this->assertSame( 403, $res->status );
	}
}
