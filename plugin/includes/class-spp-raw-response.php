<?php
/**
 * A REST response whose body is a file sent as it is (the audit log's CSV export), not JSON-encoded.
 * The sidecar's answer was written to a temporary file as it arrived, and the file is sent in chunks,
 * so no export is ever held whole in PHP's memory, however long the log.
 *
 * @package SupportProvisioningPortal
 */

defined( 'ABSPATH' ) || exit;

/**
 * Raw (non-JSON) REST response backed by a temporary file, which it deletes when it is done with.
 */
class SPP_Raw_Response extends WP_REST_Response {

	/** Bytes read and sent at a time. */
	const CHUNK_BYTES = 65536;

	/**
	 * The temporary file holding the body.
	 *
	 * @var string
	 */
	private $file;

	/**
	 * Constructor. The data seen by WordPress's filters is an empty array (so _fields and the like
	 * have nothing to trip over); the file is sent by serve().
	 *
	 * @param string $file   Temporary file with the body; this response owns it from now on.
	 * @param int    $status HTTP status.
	 */
	public function __construct( $file, $status = 200 ) {
		parent::__construct( array(), $status );
		$this->file = (string) $file;
	}

	/**
	 * The file holding the body.
	 *
	 * @return string
	 */
	public function get_file() {
		return $this->file;
	}

	/**
	 * The temporary file goes with the response, whether it was sent or not.
	 */
	public function __destruct() {
		if ( '' !== $this->file && is_file( $this->file ) ) {
			wp_delete_file( $this->file );
		}
	}

	/**
	 * Sends the file instead of JSON (hooked to rest_pre_serve_request). The response's headers,
	 * Content-Type included, were set by the REST server already.
	 *
	 * @param bool             $served  Whether the request was served already.
	 * @param WP_HTTP_Response $result  Response.
	 * @param WP_REST_Request  $request Request.
	 * @return bool
	 */
	public static function serve( $served, $result, $request ) {
		if ( $served || ! $result instanceof self ) {
			return $served;
		}
		// An export of the audit log is never cached. WordPress 6.1 sends its no-cache headers after this
		// filter, once the body has begun and no header can be sent any more: they go out here, before
		// the first byte, and WordPress is told not to send them again.
		nocache_headers();
		add_filter( 'rest_send_nocache_headers', '__return_false', PHP_INT_MAX );
		if ( 'HEAD' !== $request->get_method() ) {
			$result->send_file();
		}
		return true;
	}

	/**
	 * Echoes the file a chunk at a time, flushing each, so memory stays at one chunk.
	 *
	 * @return void
	 */
	private function send_file() {
		$handle = fopen( $this->file, 'rb' ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fopen -- streaming a temporary file.
		if ( false === $handle ) {
			return;
		}
		while ( ! feof( $handle ) ) {
			$chunk = fread( $handle, self::CHUNK_BYTES ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fread
			if ( false === $chunk || '' === $chunk ) {
				break;
			}
			echo $chunk; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- a CSV download, not HTML.
			flush();
		}
		fclose( $handle ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fclose
	}
}
