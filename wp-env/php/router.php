<?php
// Router for PHP's built-in web server (php -S … -t <wp> router.php), used by wp-env/up.mjs.
// Existing files (static assets, wp-login.php, wp-admin/*.php, dir/index.php) are served as they are;
// everything else goes to WordPress's index.php (pretty permalinks, /wp-json/).
$path = urldecode((string) parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH));
$file = $_SERVER['DOCUMENT_ROOT'] . $path;
if ($path !== '/' && is_dir($file) && substr($path, -1) !== '/') {
    // /wp-admin → /wp-admin/ (as Apache and nginx do), so relative links inside work.
    $query = parse_url($_SERVER['REQUEST_URI'], PHP_URL_QUERY);
    header('Location: ' . $path . '/' . ($query !== null && $query !== '' ? '?' . $query : ''), true, 301);
    return true;
}
if ($path !== '/' && file_exists($file)) {
    return false;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $_SERVER['DOCUMENT_ROOT'] . '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
require $_SERVER['DOCUMENT_ROOT'] . '/index.php';
