<?php
/**
 * A REST response whose body is sent as it is (the audit log's CSV export), not JSON-encoded.
 *
 * @package SupportProvisioningPortal
 */

defined( 'ABSPATH' ) || exit;

/**
 * Raw (non-JSON) REST response.
 */
class SPP_Raw_Response extends WP_REST_Response {

	/**
	 * The body bytes.
	 *
	 * @var string
	 */
	private $raw_body;

	/**
	 * Constructor. The data seen by WordPress's filters is an empty array (so _fields and the like
	 * have nothing to trip over); the raw body is served by serve().
	 *
	 * @param string $raw_body Body bytes.
	 * @param int    $status   HTTP status.
	 */
	public function __construct( $raw_body, $status = 200 ) {
		parent::__construct( array(), $status );
		$this->raw_body = (string) $raw_body;
	}

	/**
	 * The body bytes.
	 *
	 * @return string
	 */
	public function get_raw_body() {
		return $this->raw_body;
	}

	/**
	 * Sends the raw body instead of JSON (hooked to rest_pre_serve_request). The response's headers,
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
		if ( 'HEAD' !== $request->get_method() ) {
			// Buffered: some WordPress versions (6.1.9, for one) send their no-cache headers after this
			// filter, which must still work. The buffer is flushed when the REST request ends.
			ob_start();
			echo $result->get_raw_body(); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- a CSV download, not HTML.
		}
		return true;
	}
}
