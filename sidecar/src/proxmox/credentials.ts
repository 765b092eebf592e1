/**
 * The API token as Proxmox defines it, and the one redaction step for it. The token id follows
 * pve-access-control's `pve-userid` + token name (`user@realm!name`), minus control characters, which
 * cannot travel in an HTTP header (Node refuses such a header, and its error text would carry the secret).
 */

/** `user@realm!tokenname`: user without whitespace, control characters, `:` `/` `@` `!`; realm and name as Proxmox's formats. */
export const TOKEN_ID = /^[^\s\p{Cc}:/@!]+@[A-Za-z][A-Za-z0-9.\-_]+![A-Za-z][A-Za-z0-9.\-_]+$/u;

/** Longest token id: Proxmox's userid (64) plus `!` and a token name. */
export const TOKEN_ID_MAX = 128;

/**
 * Removes token credentials from a text on its way to an error message, an audit row or a log line: the
 * whole `PVEAPIToken=id=secret` (or `PVEAPIToken id=secret`) value, up to the next space or delimiter.
 */
export function redactCredentials(text: string): string {
  return text.replace(/PVEAPIToken[=\s][^\s,;'")]*/gi, 'PVEAPIToken=[redacted]');
}
