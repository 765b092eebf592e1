<?php
/**
 * SPP1 request signing (sidecar-protocol.md): canonical string of nine lines, RFC 3986 canonical query,
 * base64url actor without padding, HMAC-SHA256 as `v1=<hex>`.
 *
 * The actor is built only from the WordPress user of the current request (never from anything the
 * browser sent), or is the system actor for WordPress's own calls (user directory sync, cron).
 *
 * @package SupportProvisioningPortal
 */

defined( 'ABSPATH' ) || exit;

/**
 * Signs sidecar requests.
 */
final class SPP_Signer {

	const SCHEME = 'SPP1-HMAC-SHA256';

	/** Longest values the sidecar accepts in an actor (sidecar/src/auth/actor.ts), in UTF-16 code units. */
	const MAX_IP         = 64;
	const MAX_USER_AGENT = 512;

	/**
	 * Key id.
	 *
	 * @var string
	 */
	private $key_id;

	/**
	 * Raw key bytes.
	 *
	 * @var string
	 */
	private $key;

	/**
	 * Constructor.
	 *
	 * @param string $key_id Key id (e.g. k1).
	 * @param string $key    Raw key bytes (32).
	 */
	public function __construct( $key_id, $key ) {
		$this->key_id = (string) $key_id;
		$this->key    = (string) $key;
	}

	/**
	 * The five X-SPP-* headers for one request.
	 *
	 * @param string      $method       HTTP method.
	 * @param string      $path         Path as sent, without the query (e.g. /v1/deployments).
	 * @param string      $query        Query as sent, without '?' ('' for none).
	 * @param string      $actor_header The X-SPP-Actor value (see encode_actor()).
	 * @param string      $body         Raw body bytes ('' for none).
	 * @param int|null    $timestamp    Unix seconds (default: now).
	 * @param string|null $nonce        32 lower-case hex characters (default: random).
	 * @return array<string,string>
	 */
	public function headers( $method, $path, $query, $actor_header, $body, $timestamp = null, $nonce = null ) {
		$timestamp = (string) ( null === $timestamp ? time() : $timestamp );
		$nonce     = null === $nonce ? self::new_nonce() : $nonce;
		return array(
			'X-SPP-Key-Id'    => $this->key_id,
			'X-SPP-Timestamp' => $timestamp,
			'X-SPP-Nonce'     => $nonce,
			'X-SPP-Actor'     => $actor_header,
			'X-SPP-Signature' => $this->signature( $method, $path, $query, $actor_header, $body, $timestamp, $nonce ),
		);
	}

	/**
	 * `v1=` and the lower-case hex HMAC-SHA256 of the canonical string.
	 *
	 * @param string     $method       HTTP method.
	 * @param string     $path         Path as sent, without the query.
	 * @param string     $query        Query as sent, without '?'.
	 * @param string     $actor_header X-SPP-Actor value.
	 * @param string     $body         Raw body bytes.
	 * @param string|int $timestamp    Unix seconds.
	 * @param string     $nonce        Nonce.
	 * @return string
	 */
	public function signature( $method, $path, $query, $actor_header, $body, $timestamp, $nonce ) {
		$canonical = self::canonical_string( $this->key_id, (string) $timestamp, $nonce, $method, $path, $query, $actor_header, $body );
		return 'v1=' . hash_hmac( 'sha256', $canonical, $this->key );
	}

	/**
	 * The nine lines joined by "\n", no trailing newline.
	 *
	 * @param string $key_id       Key id.
	 * @param string $timestamp    Unix seconds.
	 * @param string $nonce        Nonce.
	 * @param string $method       HTTP method (upper-cased here).
	 * @param string $path         Path as sent, without the query.
	 * @param string $query        Query as sent, without '?'.
	 * @param string $actor_header X-SPP-Actor value.
	 * @param string $body         Raw body bytes.
	 * @return string
	 */
	public static function canonical_string( $key_id, $timestamp, $nonce, $method, $path, $query, $actor_header, $body ) {
		return implode(
			"\n",
			array(
				self::SCHEME,
				$key_id,
				(string) $timestamp,
				$nonce,
				strtoupper( $method ),
				$path,
				self::canonical_query( $query ),
				hash( 'sha256', $actor_header ),
				hash( 'sha256', $body ),
			)
		);
	}

	/**
	 * Canonical query: each key and value decoded the way the sidecar reads them ('+' is a space), then
	 * percent-encoded per RFC 3986 (unreserved A-Z a-z 0-9 - _ . ~ stay, everything else %XX upper case),
	 * pairs sorted by key then value (byte order), joined by '&'. Mirrors sidecar/src/auth/canonical.ts,
	 * including its handling of malformed escapes (signed as they stand).
	 *
	 * @param string $query Query without '?'.
	 * @return string
	 */
	public static function canonical_query( $query ) {
		$query = (string) $query;
		if ( '' === $query ) {
			return '';
		}
		$pairs = array();
		foreach ( explode( '&', $query ) as $part ) {
			if ( '' === $part ) {
				continue;
			}
			$eq      = strpos( $part, '=' );
			$key     = false === $eq ? $part : substr( $part, 0, $eq );
			$value   = false === $eq ? '' : substr( $part, $eq + 1 );
			$pairs[] = array( self::rfc3986( self::decode_component( $key ) ), self::rfc3986( self::decode_component( $value ) ) );
		}
		usort(
			$pairs,
			static function ( $a, $b ) {
				$by_key = strcmp( $a[0], $b[0] );
				return 0 !== $by_key ? $by_key : strcmp( $a[1], $b[1] );
			}
		);
		return implode(
			'&',
			array_map(
				static function ( $pair ) {
					return $pair[0] . '=' . $pair[1];
				},
				$pairs
			)
		);
	}

	/**
	 * RFC 3986 percent-encoding (PHP's rawurlencode() leaves exactly the unreserved characters).
	 *
	 * @param string $value Raw bytes.
	 * @return string
	 */
	public static function rfc3986( $value ) {
		return rawurlencode( (string) $value );
	}

	/**
	 * Decodes one query component like JavaScript's decodeURIComponent() after '+' → ' ', and, like the
	 * sidecar, keeps the component as it stands when that would throw (a '%' without two hex digits, or
	 * bytes that are not UTF-8).
	 *
	 * @param string $raw Component as sent.
	 * @return string
	 */
	public static function decode_component( $raw ) {
		$spaced = str_replace( '+', ' ', (string) $raw );
		if ( 1 === preg_match( '/%(?![0-9A-Fa-f]{2})/', $spaced ) ) {
			return $spaced;
		}
		$decoded = rawurldecode( $spaced );
		return self::is_utf8( $decoded ) ? $decoded : $spaced;
	}

	/**
	 * A query string in canonical form from decoded pairs (what WordPress forwards, so the query as sent
	 * and its canonical form are the same string).
	 *
	 * @param array<int,array{0:string,1:string}> $pairs Decoded key/value pairs.
	 * @return string
	 */
	public static function build_query( array $pairs ) {
		$parts = array();
		foreach ( $pairs as $pair ) {
			$parts[] = self::rfc3986( $pair[0] ) . '=' . self::rfc3986( $pair[1] );
		}
		return self::canonical_query( implode( '&', $parts ) );
	}

	/**
	 * 16 random bytes as 32 lower-case hex characters.
	 *
	 * @return string
	 */
	public static function new_nonce() {
		return bin2hex( random_bytes( 16 ) );
	}

	/**
	 * The actor as compact JSON (keys in the given order), base64url without padding.
	 *
	 * @param array<string,mixed> $actor Actor.
	 * @return string
	 */
	public static function encode_actor( array $actor ) {
		return self::base64url( self::json( $actor ) );
	}

	/**
	 * Compact JSON as JavaScript's JSON.stringify() writes it (no escaped slashes or non-ASCII).
	 *
	 * @param mixed $value Value.
	 * @return string
	 */
	public static function json( $value ) {
		return (string) json_encode( $value, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE ); // phpcs:ignore WordPress.WP.AlternativeFunctions.json_encode_json_encode -- exact bytes are signed.
	}

	/**
	 * Base64url without padding.
	 *
	 * @param string $bytes Bytes.
	 * @return string
	 */
	public static function base64url( $bytes ) {
		return rtrim( strtr( base64_encode( $bytes ), '+/', '-_' ), '=' ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode -- protocol encoding.
	}

	/**
	 * The system actor: WordPress acting on its own (directory sync, cron).
	 *
	 * @return array{id:int,system:bool}
	 */
	public static function system_actor() {
		return array(
			'id'     => 0,
			'system' => true,
		);
	}

	/** The capabilities the sidecar asks about (its bootstrap rule): this site's, and a network's. */
	const ACTOR_CAPS = array( 'manage_options', 'manage_network_options' );

	/**
	 * The actor of a WordPress user: facts WordPress knows, for the sidecar to decide on. `caps` lists the
	 * capabilities of ACTOR_CAPS the user holds; `$site` says whether WordPress runs as a network and
	 * whether the user holds a role on this site (both left out when not given); `ip` and `userAgent` are
	 * for the audit log.
	 *
	 * @param int                                $id         User id.
	 * @param string                             $login      user_login.
	 * @param string                             $email      user_email.
	 * @param string                             $name       display_name.
	 * @param string[]|bool                      $caps       Capabilities held (true: manage_options alone).
	 * @param string|null                        $ip         Client address WordPress trusts (REMOTE_ADDR), or null.
	 * @param string|null                        $user_agent The browser's User-Agent, or null.
	 * @param array{network?:bool,member?:bool} $site       The installation and the user's place in it.
	 * @return array<string,mixed>
	 */
	public static function user_actor( $id, $login, $email, $name, $caps, $ip = null, $user_agent = null, array $site = array() ) {
		$caps  = is_array( $caps ) ? array_values( array_intersect( self::ACTOR_CAPS, $caps ) ) : ( $caps ? array( 'manage_options' ) : array() );
		$actor = array(
			'id'    => (int) $id,
			'login' => self::clip( (string) $login, SPP_Contract::MAX_LOGIN ),
			'email' => self::clip( (string) $email, SPP_Contract::MAX_EMAIL ),
			'name'  => self::clip( (string) $name, SPP_Contract::MAX_NAME ),
			'caps'  => $caps,
		);
		if ( ! empty( $site['network'] ) ) {
			$actor['network'] = true;
		}
		if ( isset( $site['member'] ) ) {
			$actor['member'] = (bool) $site['member'];
		}
		$ip = null === $ip ? '' : trim( (string) $ip );
		if ( '' !== $ip && false !== filter_var( $ip, FILTER_VALIDATE_IP ) && strlen( $ip ) <= self::MAX_IP ) {
			$actor['ip'] = $ip;
		}
		$user_agent = null === $user_agent ? '' : trim( (string) preg_replace( '/[\x00-\x1f\x7f]+/', ' ', (string) $user_agent ) );
		if ( '' !== $user_agent ) {
			$actor['userAgent'] = self::clip( $user_agent, self::MAX_USER_AGENT );
		}
		return $actor;
	}

	/**
	 * The actor of the WordPress user of the current request, or null when nobody is logged in.
	 *
	 * @return array<string,mixed>|null
	 */
	public static function current_actor() {
		$user = wp_get_current_user();
		if ( ! $user || ! $user->exists() ) {
			return null;
		}
		// phpcs:disable WordPress.Security.ValidatedSanitizedInput -- validated in user_actor(); only for the audit log.
		$ip         = isset( $_SERVER['REMOTE_ADDR'] ) ? (string) wp_unslash( $_SERVER['REMOTE_ADDR'] ) : null;
		$user_agent = isset( $_SERVER['HTTP_USER_AGENT'] ) ? (string) wp_unslash( $_SERVER['HTTP_USER_AGENT'] ) : null;
		// phpcs:enable
		$caps = array_values(
			array_filter(
				self::ACTOR_CAPS,
				static function ( $cap ) use ( $user ) {
					return user_can( $user, $cap );
				}
			)
		);
		$site = array(
			'network' => is_multisite(),
			'member'  => SPP_Directory_Sync::is_site_member( $user ),
		);
		return self::user_actor( $user->ID, $user->user_login, $user->user_email, $user->display_name, $caps, $ip, $user_agent, $site );
	}

	/**
	 * Cuts a string to at most $max UTF-16 code units (the sidecar counts JavaScript string length),
	 * never inside a character. Invalid UTF-8 is replaced first.
	 *
	 * @param string $value Value.
	 * @param int    $max   Maximum length.
	 * @return string
	 */
	public static function clip( $value, $max ) {
		$value = (string) $value;
		if ( ! self::is_utf8( $value ) ) {
			$value = function_exists( 'mb_convert_encoding' ) ? (string) mb_convert_encoding( $value, 'UTF-8', 'UTF-8' ) : (string) preg_replace( '/[\x80-\xff]/', '?', $value );
		}
		if ( strlen( $value ) <= $max ) {
			return $value; // Every UTF-8 byte sequence has at least as many bytes as UTF-16 units.
		}
		$out   = '';
		$units = 0;
		preg_match_all( '/./su', $value, $chars );
		foreach ( $chars[0] as $char ) {
			$width = strlen( $char ) === 4 ? 2 : 1;
			if ( $units + $width > $max ) {
				break;
			}
			$out   .= $char;
			$units += $width;
		}
		return $out;
	}

	/**
	 * Whether bytes are valid UTF-8.
	 *
	 * @param string $value Bytes.
	 * @return bool
	 */
	private static function is_utf8( $value ) {
		return 1 === preg_match( '//u', $value );
	}
}
