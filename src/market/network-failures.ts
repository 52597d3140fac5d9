/**
 * What a failed HTTP exchange tells about itself: whether it certainly failed before the request was
 * written (so a write surely did not happen), and whether the address guard refused the connection.
 */
import { PrivateAddressError } from './address-guard.ts';

/** Connection-phase failures: the request was never written, so a write surely did not happen. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The string `code` of a Node or undici error, if it has one. */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True when `err` certainly happened before the request was written (including Happy Eyeballs aggregates). */
export function failedBeforeSending(err: unknown): boolean {
  const code = errorCode(err);
  if (code !== undefined && NOT_SENT_CODES.has(code)) return true;
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.every(failedBeforeSending);
  return false;
}

/** The `PrivateAddressError` behind a failed connection, if that is why it failed (Happy Eyeballs aggregates too). */
export function privateAddressError(err: unknown): PrivateAddressError | undefined {
  if (err instanceof PrivateAddressError) return err;
  if (err instanceof AggregateError) {
    for (const e of err.errors) {
      const found = privateAddressError(e);
      if (found) return found;
    }
  }
  const cause = (err as { cause?: unknown } | null)?.cause;
  return cause !== undefined && cause !== err ? privateAddressError(cause) : undefined;
}
