<?php
/**
 * Calls reach the sidecar signed as the logged-in user, and its answers come back unchanged: status,
 * JSON (error envelopes with data.params included), X-WP-Total/X-WP-TotalPages, Location, Retry-After,
 * and the audit log's CSV.
 *
 * @package SupportProvisioningPortal
 */

/**
 * Forwarding and relaying.
 */
final class ForwardingTest extends SPP_Integration_Test_Case {

	/**
	 * The admin, with an Application Password (Basic auth, as a script): GET /me 200. Bootstrap applies
	 * (nobody holds rights.manage in a fresh sidecar), so the admin has every right.
	 */
	public function test_application_password_me(): void {
		$res = self::as_admin( 'GET', '/me' );
		$this->assertSame( 200, $res->status, $res->describe() );
		$me = $res->json();
		$this->assertSame( 'admin', $me['user']['login'] );
		$this->assertSame( self::user( 'admin' )['id'], $me['user']['id'] );
		$this->assertTrue( $me['bootstrap'] );
		$this->assertContains( 'rights.manage', $me['rights'] );
		$this->assertArrayHasKey( 'catalog', $me );
	}

	/**
	 * The browser's way (cookie + nonce) works for a subscriber too: /me tells them they have no rights.
	 */
	public function test_cookie_and_nonce_me(): void {
		$res = self::as_browser( 'support1', 'GET', '/me' );
		$this->assertSame( 200, $res->status, $res->describe() );
		$me = $res->json();
		$this->assertSame( 'support1', $me['user']['login'] );
		$this->assertSame( array(), $me['rights'] );
		$this->assertFalse( $me['bootstrap'] );
	}

	/**
	 * A subscriber without portal rights: the sidecar's 403 spp_forbidden, exactly as the sidecar answers
	 * the same actor directly.
	 */
	public function test_forbidden_passes_through_unchanged(): void {
		$res  = self::as_browser( 'support1', 'GET', '/templates' );
		$body = $this->assertEnvelope( $res, 403, 'spp_forbidden' );

		$user   = get_userdata( self::user( 'support1' )['id'] );
		$actor  = SPP_Signer::user_actor( $user->ID, $user->user_login, $user->user_email, $user->display_name, false );
		$direct = self::sidecar_direct( 'GET', '/v1/templates', $actor );
		$this->assertSame( 403, $direct->status );
		$this->assertSame( $direct->json(), $body );
		$this->assertSame( array( 'code', 'message', 'data' ), array_keys( $body ) );
		$this->assertStringContainsString( 'View the portal', $body['message'] );
	}

	/**
	 * A 400 with data.params reaches the caller with its params (a WP_Error would lose nothing here, but a
	 * rebuilt envelope could): unknown field memoryMb in POST /deployments.
	 */
	public function test_invalid_param_envelope_with_params(): void {
		$res  = self::as_admin( 'POST', '/deployments', array( 'templateId' => 1, 'name' => 'sized', 'memoryMb' => 99999 ) );
		$body = $this->assertEnvelope( $res, 400, 'spp_invalid_param' );
		$this->assertArrayHasKey( 'memoryMb', $body['data']['params'] );
	}

	/**
	 * The body reaches the sidecar byte for byte (the signature covers it): a body that is not JSON is the
	 * sidecar's 400, not a signature failure. (With Content-Type application/json WordPress itself
	 * refuses broken JSON first: 400 rest_invalid_json.)
	 */
	public function test_raw_body_forwarded(): void {
		$body = $this->assertEnvelope( self::post_deployment_as( 'text/plain', '{"templateId":1,' ), 400, 'spp_invalid_param' );
		$this->assertSame( 'The request body is not valid JSON.', $body['message'] );
		$this->assertEnvelope( self::as_admin( 'POST', '/deployments', '{"templateId":1,' ), 400, 'rest_invalid_json' );

		// Unusual but valid JSON (spaces, escapes) arrives as JSON: the sidecar names the unknown field.
		$res = self::as_admin( 'POST', '/deployments', "{ \"templateId\" : 1 ,\n \"name\":\"x\\u0041\", \"c\u00f6res\": 2 }" );
		$this->assertArrayHasKey( 'cöres', $this->assertEnvelope( $res, 400, 'spp_invalid_param' )['data']['params'] );
	}

	/**
	 * WordPress forwards only JSON within the size and depth limits, whatever the Content-Type: the rest
	 * is refused before the sidecar is called (a deep body the sidecar would have read and answered with
	 * its field check shows which side refused).
	 */
	public function test_bodies_out_of_limits_are_not_forwarded(): void {
		$deep  = str_repeat( '[', 20 ) . str_repeat( ']', 20 );
		$large = '{"templateId":1,"name":"' . str_repeat( 'x', SPP_Contract::MAX_BODY_BYTES ) . '"}';
		$cases = array(
			array( 'text/plain', $deep, 'Nested too deeply.' ),
			array( 'application/json', $deep, 'Nested too deeply.' ),
			array( 'text/plain', $large, 'Too large.' ),
			array( 'application/json', $large, 'Too large.' ),
			array( 'application/octet-stream', 'hello', 'Not valid JSON.' ),
		);
		foreach ( $cases as list( $type, $body, $param ) ) {
			$res   = self::post_deployment_as( $type, $body );
			$label = $type . ', ' . strlen( $body ) . ' bytes';
			$this->assertSame( array( 'body' => $param ), $this->assertEnvelope( $res, 400, 'spp_invalid_param' )['data']['params'] ?? null, $label );
		}
		// Within the limits, any Content-Type: the sidecar's own check answers.
		$res = self::post_deployment_as( 'text/plain', '{"templateId":1,"nope":[[1]]}' );
		$this->assertStringStartsWith( 'Please check', $this->assertEnvelope( $res, 400, 'spp_invalid_param' )['message'] );
	}

	/**
	 * POST /deployments as the admin's script, with a raw body of the given Content-Type.
	 *
	 * @param string $type Content-Type.
	 * @param string $body Raw body.
	 * @return SPP_Http_Response
	 */
	private static function post_deployment_as( $type, $body ) {
		list( , $password ) = self::app_password();
		return ( new SPP_Http() )->request(
			'POST',
			self::url( self::NS . '/deployments' ),
			array(
				'Authorization' => 'Basic ' . base64_encode( 'admin:' . $password ),
				'Content-Type'  => $type,
			),
			$body
		);
	}

	/**
	 * 404 for an unknown deployment: the sidecar's envelope.
	 */
	public function test_not_found_passes_through(): void {
		$this->assertEnvelope( self::as_admin( 'GET', '/deployments/999999' ), 404, 'spp_not_found' );
	}

	/**
	 * Create (201 + Location as the browser-facing REST URL), list with paging headers, read, share, delete.
	 */
	public function test_create_list_paging_location_and_delete(): void {
		$ids = array();
		foreach ( array( 'spp-it-a', 'spp-it-b', 'spp-it-c' ) as $name ) {
			$res = self::as_admin( 'POST', '/deployments', array( 'templateId' => 1, 'name' => $name . '-' . getmypid(), 'ttlHours' => 2 ) );
			$this->assertSame( 201, $res->status, $res->describe() );
			$created = $res->json();
			$ids[]   = $created['id'];
			$this->assertSame( self::url( self::NS . '/deployments/' . $created['id'] ), $res->header( 'location' ) );
			$this->assertSame( 'admin', $created['owner']['login'] );
		}

		$page1 = self::as_admin( 'GET', '/deployments?per_page=2&page=1' );
		$this->assertSame( 200, $page1->status, $page1->describe() );
		$this->assertSame( '3', $page1->header( 'x-wp-total' ) );
		$this->assertSame( '2', $page1->header( 'x-wp-totalpages' ) );
		$this->assertCount( 2, $page1->json() );
		$page2 = self::as_admin( 'GET', '/deployments?per_page=2&page=2' );
		$this->assertCount( 1, $page2->json() );
		$this->assertSame( '3', $page2->header( 'x-wp-total' ) );

		$one = self::as_admin( 'GET', '/deployments/' . $ids[0] );
		$this->assertSame( 200, $one->status );
		$this->assertSame( $ids[0], $one->json()['id'] );

		// Share with support3 after giving them portal.view (PUT /users/:id through WordPress).
		$support3 = self::user( 'support3' );
		$grant    = self::as_admin( 'PUT', '/users/' . $support3['id'], array( 'rights' => array( 'portal.view' ), 'ramLimitMb' => null ) );
		$this->assertSame( 200, $grant->status, $grant->describe() );
		$this->assertSame( array( 'portal.view' ), $grant->json()['rights'] );
		$share = self::as_admin( 'POST', '/deployments/' . $ids[0] . '/shares', array( 'user' => 'support3' ) );
		$this->assertSame( 201, $share->status, $share->describe() );
		$this->assertSame( 'support3', self::as_admin( 'GET', '/deployments/' . $ids[0] . '/shares' )->json()[0]['user']['login'] );
		$seen = self::as_browser( 'support3', 'GET', '/deployments' );
		$this->assertSame( 200, $seen->status, $seen->describe() );
		$this->assertSame( array( $ids[0] ), array_column( $seen->json(), 'id' ) );
		$this->assertSame( 200, self::as_admin( 'DELETE', '/deployments/' . $ids[0] . '/shares/' . $support3['id'] )->status );

		// Provisioning (a clone in the mock Proxmox) finishes in the background; then delete.
		$deadline = time() + 30;
		do {
			$status = self::as_admin( 'GET', '/deployments/' . $ids[2] )->json()['status'];
			if ( 'PROVISIONING' !== $status ) {
				break;
			}
			usleep( 100000 );
		} while ( time() < $deadline );
		$this->assertSame( 'STOPPED', $status );
		$deleted = self::as_admin( 'DELETE', '/deployments/' . $ids[2] );
		$this->assertSame( 200, $deleted->status, $deleted->describe() );
		$this->assertTrue( $deleted->json()['deleted'] );
	}

	/**
	 * Query: WordPress's own parameters are dropped (rest_route would be a 400 at the sidecar), the rest
	 * is forwarded and signed in canonical form, also with spaces, '~' and non-ASCII.
	 */
	public function test_query_forwarding(): void {
		$res = self::as_admin( 'GET', '/deployments?status=RUNNING,STOPPED,PROVISIONING&search=' . rawurlencode( 'spp it~ü' ) . '&_locale=user&_wpnonce=x' );
		$this->assertSame( 200, $res->status, $res->describe() );
		$this->assertIsArray( $res->json() );

		$res = self::as_script( 'GET', '/?rest_route=' . rawurlencode( '/support-provisioning/v1/deployments' ) . '&search=a+b&per_page=1' );
		$this->assertSame( 200, $res->status, $res->describe() );
		$this->assertNotNull( $res->header( 'x-wp-total' ) );

		// An unknown parameter is the sidecar's decision (400 naming it), proving it was forwarded.
		$bad = self::as_admin( 'GET', '/deployments?colour=blue' );
		$this->assertEnvelope( $bad, 400, 'spp_invalid_param' );
		$this->assertArrayHasKey( 'colour', $bad->json()['data']['params'] );

		// _fields, handled by WordPress on the relayed JSON.
		$fields = self::as_admin( 'GET', '/me?_fields=user' );
		$this->assertSame( array( 'user' ), array_keys( $fields->json() ) );
	}

	/**
	 * Paging headers on /users (every WordPress user is in the sidecar's directory) and /audit.
	 */
	public function test_paging_headers_users_and_audit(): void {
		$res = self::as_admin( 'GET', '/users?per_page=1' );
		$this->assertSame( 200, $res->status, $res->describe() );
		$total = (int) $res->header( 'x-wp-total' );
		$this->assertGreaterThanOrEqual( 4, $total );
		$this->assertSame( (string) $total, $res->header( 'x-wp-totalpages' ) );

		$audit = self::as_admin( 'GET', '/audit?per_page=2' );
		$this->assertSame( 200, $audit->status, $audit->describe() );
		$this->assertGreaterThan( 0, (int) $audit->header( 'x-wp-total' ) );
		$this->assertNotNull( $audit->header( 'x-wp-totalpages' ) );
		$this->assertCount( 2, $audit->json() );
	}

	/**
	 * The audit log as CSV: text/csv with Content-Disposition, the bytes as the sidecar sent them.
	 */
	public function test_audit_csv(): void {
		$res = self::as_admin( 'GET', '/audit?format=csv' );
		$this->assertSame( 200, $res->status, $res->describe() );
		$this->assertStringStartsWith( 'text/csv', (string) $res->header( 'content-type' ) );
		$this->assertStringContainsString( 'attachment', (string) $res->header( 'content-disposition' ) );
		$this->assertStringContainsString( 'audit-log.csv', (string) $res->header( 'content-disposition' ) );
		// WordPress's own headers still arrive (6.1.9 sends its no-cache headers after the body is handed over).
		$this->assertStringContainsString( 'no-cache', (string) $res->header( 'cache-control' ) );
		$this->assertSame( 'nosniff', $res->header( 'x-content-type-options' ) );
		$this->assertStringNotContainsString( '"[]"', $res->body );
		$lines = explode( "\n", trim( $res->body ) );
		$this->assertGreaterThan( 1, count( $lines ) );
		$this->assertStringContainsString( ',', $lines[0] );
		$this->assertNoPhpNoise( $res->body );

		// A refused CSV export is the JSON envelope.
		$this->assertEnvelope( self::as_browser( 'support1', 'GET', '/audit?format=csv' ), 403, 'spp_forbidden' );
	}

	/**
	 * An export larger than PHP's output buffer: its first bytes leave before WordPress 6.1 would send
	 * its no-cache headers, so those must have gone out already, and no "headers already sent" warning
	 * may follow. Forty changes with long User-Agents make a CSV of over 8 KB (php-fpm buffers 4 KB).
	 */
	public function test_large_audit_csv_sends_headers_before_the_body(): void {
		list( $http, $nonce ) = self::session( 'admin' );
		$ua = 'SPP-Integration-large-export/' . getmypid() . '/' . str_repeat( 'x', 210 );
		for ( $i = 0; $i < 40; $i++ ) {
			$put = $http->request( 'PUT', self::url( self::NS . '/settings' ), array( 'X-WP-Nonce' => $nonce, 'User-Agent' => $ua, 'Content-Type' => 'application/json' ), '{"globalRamLimitMb":' . ( $i % 2 ) . '}' );
			$this->assertSame( 200, $put->status, $put->describe() );
		}
		self::as_admin( 'PUT', '/settings', array( 'globalRamLimitMb' => 0 ) );
		$csv = self::as_admin( 'GET', '/audit?format=csv&action=settings.update' );
		$this->assertSame( 200, $csv->status, $csv->describe() );
		$this->assertGreaterThan( 8192, strlen( $csv->body ) );
		$this->assertSame( 40, substr_count( $csv->body, $ua ) );
		$this->assertStringContainsString( 'no-cache', (string) $csv->header( 'cache-control' ) );
		$this->assertNoPhpNoise( $csv->body );
		$this->assertNoPluginWarningsLogged();
	}

	/**
	 * 429 with Retry-After: the rate limit counts before the rights check, so a subscriber's eleventh
	 * create in a burst is refused with the header.
	 */
	public function test_rate_limited_retry_after(): void {
		$last = null;
		for ( $i = 0; $i < 12; $i++ ) {
			$last = self::as_browser( 'support2', 'POST', '/deployments', array( 'templateId' => 1, 'name' => 'x' . $i ) );
			if ( 429 === $last->status ) {
				break;
			}
			$this->assertSame( 403, $last->status, $last->describe() );
		}
		$this->assertEnvelope( $last, 429, 'spp_rate_limited' );
		$this->assertMatchesRegularExpression( '/^[0-9]+$/', (string) $last->header( 'retry-after' ) );
	}

	/**
	 * Settings: GET, and PUT with a body (the write-only secret is not echoed).
	 */
	public function test_settings_round_trip(): void {
		$get = self::as_admin( 'GET', '/settings' );
		$this->assertSame( 200, $get->status, $get->describe() );
		$this->assertArrayHasKey( 'tokenSecretSet', $get->json() );
		$put = self::as_admin( 'PUT', '/settings', array( 'globalRamLimitMb' => 0 ) );
		$this->assertSame( 200, $put->status, $put->describe() );
		$this->assertArrayNotHasKey( 'tokenSecret', $put->json() );
		$this->assertSame( 200, self::as_admin( 'GET', '/admin/templates' )->status );
		$this->assertSame( 200, self::as_admin( 'GET', '/admin/proxmox-templates' )->status );
		$this->assertSame( 200, self::as_admin( 'GET', '/quota' )->status );
		$this->assertSame( 200, self::as_admin( 'GET', '/templates' )->status );
	}

	/**
	 * The actor carries the browser's address and User-Agent for the audit log (seen in the sidecar's
	 * audit row of a change made through the browser session).
	 */
	public function test_actor_ip_and_user_agent_in_audit(): void {
		list( $http, $nonce ) = self::session( 'admin' );
		$ua  = 'SPP-Integration/' . getmypid();
		$put = $http->request(
			'PUT',
			self::url( self::NS . '/settings' ),
			array(
				'X-WP-Nonce'   => $nonce,
				'User-Agent'   => $ua,
				'Content-Type' => 'application/json',
			),
			'{"globalRamLimitMb":0}'
		);
		$this->assertSame( 200, $put->status, $put->describe() );
		$csv = self::as_admin( 'GET', '/audit?format=csv&action=settings.update' );
		$this->assertStringContainsString( $ua, $csv->body );
		$this->assertMatchesRegularExpression( '/,127\.0\.0\.1,"?' . preg_quote( $ua, '/' ) . '/', $csv->body );
	}
}
