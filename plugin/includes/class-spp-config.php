<?php
/**
 * Where the sidecar listens and the key WordPress signs with: SPP_SIDECAR_URL, SPP_SIDECAR_KEY_ID and
 * SPP_SIDECAR_KEY, each a wp-config.php constant or else an environment variable. Never stored in the
 * database. Validation reports exactly which setting is missing or invalid.
 *
 * @package SupportProvisioningPortal
 */

defined( 'ABSPATH' ) || exit;

/**
 * Reads and validates the sidecar configuration.
 */
final class SPP_Config {

	const DEFAULT_URL = 'http://127.0.0.1:8787';
	const URL         = 'SPP_SIDECAR_URL';
	const KEY_ID      = 'SPP_SIDECAR_KEY_ID';
	const KEY         = 'SPP_SIDECAR_KEY';

	/** Same pattern as the sidecar's keyring (sidecar/src/auth/keyring.ts). */

	/**
	 * The sidecar's base URL, without a trailing slash.
	 *
	 * @var string
	 */
	private $url = self::DEFAULT_URL;

	/**
	 * The key id.
	 *
	 * @var string
	 */
	private $key_id = '';

	/**
	 * The key as 64 lower-case hex characters.
	 *
	 * @var string
	 */
	private $key_hex = '';

	/**
	 * Problems by setting name (only the settings that have one).
	 *
	 * @var array<string,string>
	 */
	private $problems = array();

	/**
	 * Where each setting came from: 'constant', 'environment' or 'default'/'missing'.
	 *
	 * @var array<string,string>
	 */
	private $sources = array();

	/**
	 * The configuration of this site: constants (wp-config.php) first, then the environment.
	 *
	 * @return self
	 */
	public static function load() {
		return self::from_sources(
			static function ( $name ) {
				return defined( $name ) ? constant( $name ) : null;
			},
			static function ( $name ) {
				$value = getenv( $name );
				return false === $value ? null : $value;
			}
		);
	}

	/**
	 * Builds a configuration from two look-ups (each returns null when the setting is not there).
	 *
	 * @param callable $constant Looks a constant up by name.
	 * @param callable $env      Looks an environment variable up by name.
	 * @return self
	 */
	public static function from_sources( callable $constant, callable $env ) {
		$values  = array();
		$sources = array();
		foreach ( array( self::URL, self::KEY_ID, self::KEY ) as $name ) {
			$value = $constant( $name );
			if ( null !== $value ) {
				$values[ $name ]  = $value;
				$sources[ $name ] = 'constant';
				continue;
			}
			$value = $env( $name );
			if ( null !== $value && '' !== $value ) {
				$values[ $name ]  = $value;
				$sources[ $name ] = 'environment';
			}
		}
		return new self( $values, $sources );
	}

	/**
	 * Builds a configuration from plain values (tests, and from_sources()).
	 *
	 * @param array<string,mixed>  $values  Values by setting name; absent = not set.
	 * @param array<string,string> $sources Where each value came from.
	 */
	public function __construct( array $values, array $sources = array() ) {
		$this->sources = $sources;

		// URL: optional, defaults to the sidecar's default address.
		if ( array_key_exists( self::URL, $values ) ) {
			$url = is_scalar( $values[ self::URL ] ) ? trim( (string) $values[ self::URL ] ) : '';
			if ( '' === $url ) {
				$this->problems[ self::URL ] = sprintf(
					/* translators: 1: SPP_SIDECAR_URL, 2: example URL */
					__( '%1$s is empty: remove it to use the default %2$s, or set the sidecar\'s address, e.g. %2$s.', 'support-provisioning-portal' ),
					self::URL,
					self::DEFAULT_URL
				);
			} elseif ( ! self::is_valid_url( $url ) ) {
				$this->problems[ self::URL ] = sprintf(
					/* translators: 1: SPP_SIDECAR_URL, 2: the value given, 3: example URL */
					__( '%1$s is invalid: \'%2$s\' is not an http:// or https:// address without query or fragment, e.g. %3$s.', 'support-provisioning-portal' ),
					self::URL,
					self::printable( $url ),
					self::DEFAULT_URL
				);
			} else {
				$this->url = rtrim( $url, '/' );
			}
		} else {
			$this->sources[ self::URL ] = 'default';
		}

		// Key id.
		if ( ! array_key_exists( self::KEY_ID, $values ) || '' === self::as_string( $values[ self::KEY_ID ] ) ) {
			$this->problems[ self::KEY_ID ] = sprintf(
				/* translators: 1: SPP_SIDECAR_KEY_ID */
				__( '%1$s is missing: add define( \'%1$s\', \'k1\' ); to wp-config.php (or set the environment variable %1$s) with the id of a key in the sidecar\'s SPP_SIGNING_KEYS.', 'support-provisioning-portal' ),
				self::KEY_ID
			);
		} else {
			$key_id = trim( self::as_string( $values[ self::KEY_ID ] ) );
			if ( 1 !== preg_match( SPP_Contract::KEY_ID_PATTERN, $key_id ) ) {
				$this->problems[ self::KEY_ID ] = sprintf(
					/* translators: 1: SPP_SIDECAR_KEY_ID */
					__( '%1$s is invalid: use 1 to 32 letters, digits, \'.\', \'_\' or \'-\' (the id of a key in the sidecar\'s SPP_SIGNING_KEYS, e.g. k1).', 'support-provisioning-portal' ),
					self::KEY_ID
				);
			} else {
				$this->key_id = $key_id;
			}
		}

		// Key: 32 bytes as 64 hex characters. Its value is never repeated in a message.
		if ( ! array_key_exists( self::KEY, $values ) || '' === self::as_string( $values[ self::KEY ] ) ) {
			$this->problems[ self::KEY ] = sprintf(
				/* translators: 1: SPP_SIDECAR_KEY */
				__( '%1$s is missing: add define( \'%1$s\', \'<64 hex characters>\' ); to wp-config.php (or set the environment variable %1$s) with the same key the sidecar has in SPP_SIGNING_KEYS.', 'support-provisioning-portal' ),
				self::KEY
			);
		} else {
			$key = trim( self::as_string( $values[ self::KEY ] ) );
			if ( 1 !== preg_match( '/^[0-9a-fA-F]*$/', $key ) ) {
				$this->problems[ self::KEY ] = sprintf(
					/* translators: 1: SPP_SIDECAR_KEY */
					__( '%1$s is invalid: it must be 64 hex characters (0-9, a-f), and it contains other characters.', 'support-provisioning-portal' ),
					self::KEY
				);
			} elseif ( 64 !== strlen( $key ) ) {
				$this->problems[ self::KEY ] = sprintf(
					/* translators: 1: SPP_SIDECAR_KEY, 2: number of characters given */
					__( '%1$s is invalid: it must be 64 hex characters (32 bytes), it has %2$d.', 'support-provisioning-portal' ),
					self::KEY,
					strlen( $key )
				);
			} else {
				$this->key_hex = strtolower( $key );
			}
		}
	}

	/**
	 * Whether every setting is usable.
	 *
	 * @return bool
	 */
	public function is_valid() {
		return array() === $this->problems;
	}

	/**
	 * Problems by setting name, in the order URL, key id, key.
	 *
	 * @return array<string,string>
	 */
	public function problems() {
		$ordered = array();
		foreach ( array( self::URL, self::KEY_ID, self::KEY ) as $name ) {
			if ( isset( $this->problems[ $name ] ) ) {
				$ordered[ $name ] = $this->problems[ $name ];
			}
		}
		return $ordered;
	}

	/**
	 * Names of the settings that are missing or invalid.
	 *
	 * @return string[]
	 */
	public function problem_names() {
		return array_keys( $this->problems() );
	}

	/**
	 * One paragraph naming every problem.
	 *
	 * @return string
	 */
	public function problem_summary() {
		return implode( ' ', array_values( $this->problems() ) );
	}

	/**
	 * The sidecar's base URL (the default when SPP_SIDECAR_URL is not set or invalid).
	 *
	 * @return string
	 */
	public function url() {
		return $this->url;
	}

	/**
	 * The key id ('' when missing or invalid).
	 *
	 * @return string
	 */
	public function key_id() {
		return $this->key_id;
	}

	/**
	 * The raw 32-byte key ('' when missing or invalid).
	 *
	 * @return string
	 */
	public function key() {
		return '' === $this->key_hex ? '' : (string) hex2bin( $this->key_hex );
	}

	/**
	 * Where a setting came from: 'constant', 'environment', 'default' or 'missing'.
	 *
	 * @param string $name Setting name.
	 * @return string
	 */
	public function source( $name ) {
		return $this->sources[ $name ] ?? 'missing';
	}

	/**
	 * Http(s), a host, optional port and path; no user info, query or fragment.
	 *
	 * @param string $url Candidate.
	 * @return bool
	 */
	public static function is_valid_url( $url ) {
		if ( 1 !== preg_match( '~^https?://[^\s/?#@]+(/[^\s?#]*)?$~i', $url ) ) {
			return false;
		}
		$parts = parse_url( $url ); // phpcs:ignore WordPress.WP.AlternativeFunctions.parse_url_parse_url -- pure class, also used without WordPress.
		return is_array( $parts ) && ! empty( $parts['host'] ) && ( ! isset( $parts['port'] ) || ( $parts['port'] > 0 && $parts['port'] < 65536 ) );
	}

	/**
	 * A scalar as a string ('' for anything else).
	 *
	 * @param mixed $value Value.
	 * @return string
	 */
	private static function as_string( $value ) {
		return is_scalar( $value ) ? (string) $value : '';
	}

	/**
	 * A value shortened and stripped of control characters, for a message.
	 *
	 * @param string $value Value.
	 * @return string
	 */
	private static function printable( $value ) {
		$value = (string) preg_replace( '/[\x00-\x1f\x7f]/', '', $value );
		return strlen( $value ) > 100 ? substr( $value, 0, 100 ) . '…' : $value;
	}
}
