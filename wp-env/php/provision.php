<?php
/**
 * Sets up the local WordPress with WordPress's own functions; idempotent (a second run changes nothing).
 *
 *   php provision.php '<json>'                      (wp-env/up.mjs: loads <wpDir>/wp-load.php itself)
 *   wp eval-file provision.php ['<json>']           (@wordpress/env's cli container: WordPress already loaded)
 *
 * JSON (every key optional): {"wpDir","url","title","admin":{"login","password","email"},
 *   "users":[{"login","password","email","role","first","last"}], "pageTitle", "plugin":"<folder name>"}
 * Prints one line `WP_ENV_RESULT <json>` (also after a fatal error, with the stage it stopped in).
 */

$spp_in = [];
if (isset($args) && is_array($args) && isset($args[0])) {          // wp eval-file
    $spp_in = json_decode($args[0], true);
} elseif (PHP_SAPI === 'cli' && isset($argv[1]) && !defined('ABSPATH')) { // php provision.php
    $spp_in = json_decode($argv[1], true);
}
if (!is_array($spp_in)) {
    fwrite(STDERR, "provision.php: the argument is not a JSON object\n");
    exit(2);
}
$spp_in += [
    'title' => 'Support Provisioning Portal (local)',
    'admin' => ['login' => 'admin', 'password' => 'password', 'email' => 'admin@example.test'],
    'users' => [
        ['login' => 'support1', 'password' => 'support1-pass', 'email' => 'support1@example.test', 'role' => 'subscriber', 'first' => 'Sam', 'last' => 'Support'],
        ['login' => 'support2', 'password' => 'support2-pass', 'email' => 'support2@example.test', 'role' => 'subscriber', 'first' => 'Alex', 'last' => 'Support'],
        ['login' => 'support3', 'password' => 'support3-pass', 'email' => 'support3@example.test', 'role' => 'subscriber', 'first' => 'Kim', 'last' => 'Support'],
    ],
    'pageTitle' => 'Support Portal',
    'plugin' => 'support-provisioning-portal',
];

$GLOBALS['spp_result'] = ['stage' => 'load', 'ok' => false];
register_shutdown_function(function () {
    $r = $GLOBALS['spp_result'];
    if (!$r['ok']) {
        $e = error_get_last();
        if ($e && in_array($e['type'], [E_ERROR, E_PARSE, E_CORE_ERROR, E_COMPILE_ERROR, E_USER_ERROR], true)) {
            $r['error'] = $e['message'] . ' in ' . $e['file'] . ':' . $e['line'];
        }
    }
    echo "\nWP_ENV_RESULT " . json_encode($r, JSON_UNESCAPED_SLASHES) . "\n";
});

if (!defined('ABSPATH')) {
    $url = parse_url($spp_in['url']);
    $_SERVER['HTTP_HOST'] = $url['host'] . (isset($url['port']) ? ':' . $url['port'] : '');
    $_SERVER['SERVER_NAME'] = $url['host'];
    $_SERVER['SERVER_PORT'] = (string) ($url['port'] ?? 80);
    $_SERVER['REQUEST_URI'] = '/';
    $_SERVER['REQUEST_METHOD'] = 'GET';
    $_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
    $_SERVER['REMOTE_ADDR'] = '127.0.0.1';
    define('WP_INSTALLING', true); // lets wp-load.php run before the tables exist
    require $spp_in['wpDir'] . '/wp-load.php';
}
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
require_once ABSPATH . 'wp-admin/includes/user.php';

$res = &$GLOBALS['spp_result'];
$res['wpVersion'] = $GLOBALS['wp_version'];
$res['phpVersion'] = PHP_VERSION;

// 1. Site and administrator.
$res['stage'] = 'install';
$admin = $spp_in['admin'];
if (!is_blog_installed()) {
    $installed = wp_install($spp_in['title'], $admin['login'], $admin['email'], false, '', $admin['password']);
    $res['installed'] = true;
    $res['admin'] = ['id' => (int) $installed['user_id'], 'login' => $admin['login']];
} else {
    $res['installed'] = false;
    $u = get_user_by('login', $admin['login']);
    if (!$u) {
        $id = wp_insert_user(['user_login' => $admin['login'], 'user_pass' => $admin['password'], 'user_email' => $admin['email'], 'role' => 'administrator']);
        if (is_wp_error($id)) throw new RuntimeException('admin: ' . $id->get_error_message());
        $u = get_user_by('id', $id);
        $res['adminCreated'] = true;
    } elseif (!wp_check_password($admin['password'], $u->user_pass, $u->ID)) {
        wp_set_password($admin['password'], $u->ID); // keep the printed login true
        $res['adminPasswordReset'] = true;
    }
    $res['admin'] = ['id' => $u->ID, 'login' => $u->user_login];
}

// Database upgrade after the core files were refreshed (a newer Debian package of the same version line).
if (!$res['installed'] && (int) get_option('db_version') !== (int) $GLOBALS['wp_db_version']) {
    wp_upgrade();
    $res['dbUpgraded'] = true;
}

// 2. Pretty permalinks (/wp-json/ and page URLs without ?p=).
$res['stage'] = 'options';
if (get_option('permalink_structure') !== '/%postname%/') {
    $GLOBALS['wp_rewrite']->set_permalink_structure('/%postname%/'); // also re-inits $wp_rewrite for get_permalink()
    flush_rewrite_rules(false);                                      // no .htaccess: php -S / nginx route by themselves
}
if (get_option('blogname') !== $spp_in['title']) update_option('blogname', $spp_in['title']);

// 3. Support users (WordPress roles stay minimal; portal rights are granted in the sidecar).
$res['stage'] = 'users';
$res['users'] = [];
foreach ($spp_in['users'] as $d) {
    $u = get_user_by('login', $d['login']);
    $created = false;
    if (!$u) {
        $id = wp_insert_user([
            'user_login' => $d['login'], 'user_pass' => $d['password'], 'user_email' => $d['email'],
            'role' => $d['role'] ?? 'subscriber', 'first_name' => $d['first'] ?? '', 'last_name' => $d['last'] ?? '',
            'display_name' => trim(($d['first'] ?? '') . ' ' . ($d['last'] ?? '')) ?: $d['login'],
        ]);
        if (is_wp_error($id)) throw new RuntimeException($d['login'] . ': ' . $id->get_error_message());
        $u = get_user_by('id', $id);
        $created = true;
    } elseif (!wp_check_password($d['password'], $u->user_pass, $u->ID)) {
        wp_set_password($d['password'], $u->ID);
    }
    $res['users'][] = ['id' => $u->ID, 'login' => $u->user_login, 'roles' => array_values($u->roles), 'created' => $created];
}

// 4. The portal page (found again by its marker, so renaming it in wp-admin does not create a second one).
$res['stage'] = 'page';
$pages = get_posts(['post_type' => 'page', 'post_status' => 'any', 'meta_key' => '_spp_wp_env_page', 'numberposts' => 1, 'fields' => 'ids']);
if ($pages) {
    $page_id = (int) $pages[0];
    $res['pageCreated'] = false;
} else {
    $page_id = wp_insert_post([
        'post_type' => 'page', 'post_status' => 'publish', 'post_title' => $spp_in['pageTitle'], 'post_name' => 'support-portal',
        'post_content' => "<!-- wp:shortcode -->\n[support_provisioning_portal]\n<!-- /wp:shortcode -->",
        'post_author' => $res['admin']['id'], 'meta_input' => ['_spp_wp_env_page' => 1],
    ], true);
    if (is_wp_error($page_id)) throw new RuntimeException('page: ' . $page_id->get_error_message());
    $res['pageCreated'] = true;
}
$res['page'] = ['id' => $page_id, 'url' => get_permalink($page_id)];

// 5. The project's plugin, when its folder is linked into wp-content/plugins.
$res['stage'] = 'plugin';
$res['plugin'] = ['folder' => $spp_in['plugin'], 'present' => false, 'active' => false];
wp_cache_delete('plugins', 'plugins');
$file = null;
foreach (array_keys(get_plugins()) as $f) {
    if (strpos($f, $spp_in['plugin'] . '/') === 0) { $file = $f; break; }
}
if ($file !== null) {
    $res['plugin']['present'] = true;
    $res['plugin']['file'] = $file;
    if (!is_plugin_active($file)) {
        $r = activate_plugin($file, '', false, false);
        if (is_wp_error($r)) {
            $res['plugin']['error'] = $r->get_error_message();
        } else {
            $res['plugin']['activatedNow'] = true;
        }
    }
    $res['plugin']['active'] = is_plugin_active($file);
}

$res['stage'] = 'done';
$res['ok'] = true;
