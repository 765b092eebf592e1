/** Every error code the API answers with, and its HTTP status; the UI receives them through GET /me (catalog). */
export const ERROR_CODES = {
  spp_invalid_param: 400,
  spp_unauthenticated: 401,
  spp_forbidden: 403,
  spp_not_found: 404,
  spp_quota_exceeded: 409,
  spp_expired: 409,
  spp_conflict: 409,
  spp_rate_limited: 429,
  spp_internal_error: 500,
  spp_proxmox_error: 502,
  spp_sidecar_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
