/**
 * The one error envelope: every refusal leaves the sidecar as `{"code","message","data":{"status",...}}`
 * (codes and their statuses: the contract's error-codes.ts); the UI shows `message` as it is.
 */
import { ERROR_CODES, ErrorCode } from '@spp/contract';

export interface ErrorData {
  status: number;
  params?: Record<string, string>;
  [key: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  /** Set once an audit row for this failure was written with the state change, so none is added. */
  audited = false;
  /** The message for callers who see Proxmox's details (host, port, codes); `message` is for everyone. */
  detail?: string;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: Omit<ErrorData, 'status'> = {},
    /** Response headers that belong to the error, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = ERROR_CODES[code];
  }

  /** The envelope; `detailed` for a caller who may see the detail. */
  toBody(detailed = false): { code: ErrorCode; message: string; data: ErrorData } {
    return { code: this.code, message: detailed ? (this.detail ?? this.message) : this.message, data: { status: this.status, ...this.extra } };
  }
}

export function invalidParams(params: Record<string, string>, message?: string): ApiError {
  const fields = Object.keys(params);
  return new ApiError(
    'spp_invalid_param',
    message ?? `Please check ${fields.length === 1 ? 'the field' : 'the fields'} ${fields.map((f) => `'${f}'`).join(', ')}.`,
    { params },
  );
}

export function notFound(what = 'deployment'): ApiError {
  return new ApiError('spp_not_found', `No such ${what}, or you may not see it.`);
}

export function conflict(message: string): ApiError {
  return new ApiError('spp_conflict', message);
}
