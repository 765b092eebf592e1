/** Sizes the API holds to, wherever they are checked (the sidecar's schemas, the signed actor, the plugin). */

/** WordPress's own column sizes for a user (wp_users: user_login 60, user_email 100, display_name 250). */
export const USER_FIELD_LIMITS = { login: 60, email: 100, name: 250 } as const;

/**
 * Bodies the sidecar reads at most (before the signature is checked, since it covers them): a full
 * directory sync of many users, every other body (the largest field, a CA bundle, is 64 KB).
 */
export const BODY_LIMITS = { directorySync: 8 * 1024 * 1024, other: 256 * 1024 } as const;

/** Arrays and objects nested at most in a body WordPress forwards (the portal's own nest two). */
export const MAX_BODY_DEPTH = 8;

/** The key ids WordPress and the sidecar accept (SPP_SIDECAR_KEY_ID, SPP_SIGNING_KEYS). */
export const KEY_ID_PATTERN_SOURCE = '^[A-Za-z0-9_.-]{1,32}$';
