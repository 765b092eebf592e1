<?php
/**
 * Integration tests run against the live local WordPress described by SPP_TEST_ENV_JSON (a wp-env
 * state's env.json): over HTTP like a browser or a script, and in this process with WordPress loaded
 * from the same tree and database (for what HTTP cannot see: registered scripts, cron events, options).
 *
 * @package SupportProvisioningPortal
 */

$spp_env_file = getenv( 'SPP_TEST_ENV_JSON' );
if ( ! $spp_env_file || ! is_readable( $spp_env_file ) ) {
	fwrite( STDERR, "SPP_TEST_ENV_JSON must name the env.json of a running local WordPress (scripts/test-plugin.mjs sets it).\n" );
	exit( 2 );
}
$spp_env = json_decode( (string) file_get_contents( $spp_env_file ), true );
if ( ! is_array( $spp_env ) || empty( $spp_env['url'] ) || empty( $spp_env['wordpress']['path'] ) ) {
	fwrite( STDERR, "$spp_env_file is not a running wp-env state.\n" );
	exit( 2 );
}
$GLOBALS['spp_test_env'] = $spp_env;

/**
 * Loads WordPress in this process, as a request to the site would. Inside a function on purpose:
 * PHPUnit copies a bootstrap file's own variables into $GLOBALS after including it, which would put
 * back the empty values of WordPress's file-level variables (e.g. $shortcode_tags) over the filled ones.
 *
 * @param array<string,mixed> $env env.json.
 * @return void
 */
function spp_test_load_wordpress( array $env ) {
	$url                        = parse_url( $env['url'] );
	$_SERVER['HTTP_HOST']       = $url['host'] . ( isset( $url['port'] ) ? ':' . $url['port'] : '' );
	$_SERVER['SERVER_NAME']     = $url['host'];
	$_SERVER['SERVER_PORT']     = (string) ( $url['port'] ?? 80 );
	$_SERVER['REQUEST_URI']     = '/';
	$_SERVER['REQUEST_METHOD']  = 'GET';
	$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
	$_SERVER['REMOTE_ADDR']     = '127.0.0.1';
	// Globals WordPress expects to be global although some of its files only assign them.
	global $wp_version, $wp_db_version, $wpdb, $wp_rewrite, $wp, $wp_query, $wp_the_query, $wp_roles, $wp_locale, $wp_embed, $wp_widget_factory, $table_prefix;
	require $env['wordpress']['path'] . '/wp-load.php';
	require_once ABSPATH . 'wp-admin/includes/plugin.php';
}
spp_test_load_wordpress( $spp_env );

require_once __DIR__ . '/class-spp-http.php';
require_once __DIR__ . '/class-spp-integration-test-case.php';

register_shutdown_function( array( 'SPP_Integration_Test_Case', 'clean_up' ) );
