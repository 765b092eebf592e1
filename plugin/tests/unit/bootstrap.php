<?php
/**
 * Unit tests load the plugin's pure classes without WordPress; the few WordPress functions they touch
 * (translation, WP_Error) are stubbed.
 *
 * @package SupportProvisioningPortal
 */

define( 'ABSPATH', __DIR__ . '/' ); // The plugin's files refuse to load without it.

if ( ! function_exists( '__' ) ) {
	/**
	 * Translation stub.
	 *
	 * @param string $text   Text.
	 * @param string $domain Domain.
	 * @return string
	 */
	function __( $text, $domain = 'default' ) { // phpcs:ignore
		unset( $domain );
		return $text;
	}
}

if ( ! class_exists( 'WP_Error' ) ) {
	/**
	 * WordPress's error object, as far as the pure classes use it: a code, a message and data.
	 */
	final class WP_Error { // phpcs:ignore
		/**
		 * Error code, message and data.
		 *
		 * @var array{0:string,1:string,2:mixed}
		 */
		private $error;

		/**
		 * Constructor.
		 *
		 * @param string $code    Code.
		 * @param string $message Message.
		 * @param mixed  $data    Data.
		 */
		public function __construct( $code, $message, $data = null ) {
			$this->error = array( $code, $message, $data );
		}

		/**
		 * Code.
		 *
		 * @return string
		 */
		public function get_error_code() {
			return $this->error[0];
		}

		/**
		 * Message.
		 *
		 * @return string
		 */
		public function get_error_message() {
			return $this->error[1];
		}

		/**
		 * Data.
		 *
		 * @return mixed
		 */
		public function get_error_data() {
			return $this->error[2];
		}
	}
}

$spp_includes = dirname( __DIR__, 2 ) . '/includes/';
require_once $spp_includes . 'class-spp-contract.php';
require_once $spp_includes . 'class-spp-config.php';
require_once $spp_includes . 'class-spp-signer.php';
require_once $spp_includes . 'class-spp-sidecar-client.php';
require_once $spp_includes . 'class-spp-rest-controller.php';
