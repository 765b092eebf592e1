<?php
/**
 * GENERATED from contract/src by `npm run generate:php`: do not edit.
 * The limits of the contract the plugin applies before anything reaches the sidecar.
 *
 * @package SupportProvisioningPortal
 */

defined( 'ABSPATH' ) || exit;

/**
 * Contract limits.
 */
final class SPP_Contract {
	/** A user's login, e-mail and display name at most (WordPress's own column sizes). */
	const MAX_LOGIN = 60;
	const MAX_EMAIL = 100;
	const MAX_NAME = 250;

	/** The largest body forwarded: the sidecar reads at most this much on every route WordPress forwards. */
	const MAX_BODY_BYTES = 262144;

	/** Arrays and objects nested at most in a body forwarded. */
	const MAX_BODY_DEPTH = 8;

	/** The key ids SPP_SIDECAR_KEY_ID may name. */
	const KEY_ID_PATTERN = '/^[A-Za-z0-9_.-]{1,32}$/';
}
