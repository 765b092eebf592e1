<?php
/**
 * Plugin Name: wp-env offline hygiene (local only)
 * Description: Installed by wp-env/up.mjs into mu-plugins of the local WordPress. This machine reaches no
 *              wordpress.org, gravatar or mail server: answer those calls locally instead of waiting or warning.
 *              Loopback and the sidecar's host stay reachable.
 */

// No mail server here (wp_install() would print "sh: /usr/sbin/sendmail: not found").
add_filter('pre_wp_mail', '__return_true');

// No gravatar requests.
add_filter('option_show_avatars', '__return_zero');

// The editor would call /wp/v2/block-directory/search (wordpress.org) for every unknown block.
add_action('init', function () {
    remove_action('enqueue_block_editor_assets', 'wp_enqueue_editor_block_directory_assets');
});

// No update checks against wordpress.org.
$spp_wp_env_no_updates = function () {
    global $wp_version;
    return (object) ['last_checked' => time(), 'version_checked' => $wp_version, 'updates' => [], 'translations' => [], 'response' => [], 'no_update' => [], 'checked' => []];
};
add_filter('pre_site_transient_update_core', $spp_wp_env_no_updates);
add_filter('pre_site_transient_update_plugins', $spp_wp_env_no_updates);
add_filter('pre_site_transient_update_themes', $spp_wp_env_no_updates);

// Outgoing HTTP: loopback, the site itself and the sidecar are allowed; wordpress.org's browse-happy and
// serve-happy get canned answers; anything else fails at once with a clear WP_Error.
add_filter('pre_http_request', function ($pre, $args, $url) {
    $host = strtolower((string) wp_parse_url($url, PHP_URL_HOST));
    $allowed = ['localhost', '127.0.0.1', '::1', '[::1]', strtolower((string) wp_parse_url(home_url(), PHP_URL_HOST))];
    if (defined('SPP_SIDECAR_URL')) {
        $allowed[] = strtolower((string) wp_parse_url(SPP_SIDECAR_URL, PHP_URL_HOST));
    }
    if (defined('WP_ENV_ALLOWED_HOSTS')) {
        $allowed = array_merge($allowed, array_map('strtolower', array_map('trim', explode(',', WP_ENV_ALLOWED_HOSTS))));
    }
    if (in_array($host, $allowed, true) || preg_match('/^127\./', $host)) {
        return $pre;
    }
    $canned = static function ($body) {
        return ['headers' => [], 'body' => wp_json_encode($body), 'response' => ['code' => 200, 'message' => 'OK'], 'cookies' => [], 'filename' => null];
    };
    if ($host === 'api.wordpress.org' && strpos($url, '/core/browse-happy/') !== false) {
        return $canned(['platform' => '', 'name' => '', 'version' => '', 'current_version' => '', 'upgrade' => false, 'insecure' => false, 'update_url' => '', 'img_src' => '', 'img_src_ssl' => '']);
    }
    if ($host === 'api.wordpress.org' && strpos($url, '/core/serve-happy/') !== false) {
        return $canned(['recommended_version' => PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION, 'minimum_version' => '7.0', 'is_supported' => true, 'is_secure' => true, 'is_acceptable' => true, 'is_lower_than_future_minimum' => false]);
    }
    return new WP_Error('http_request_blocked', sprintf('wp-env (local, offline): outgoing request to %s blocked; allow it with WP_ENV_ALLOWED_HOSTS.', $host));
}, 10, 3);
