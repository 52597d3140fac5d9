/**
 * What every check of a set-up returns, shared by the start-up checks (app.ts) and `npm run doctor`: a name,
 * whether it passed, what was found or what is wrong, and for a failure the fix, naming the setting.
 */

/** One check's verdict. */
export interface CheckResult {
  /** Short and stable, e.g. "Telegram bot token". */
  name: string;
  /** Passed (a skipped check passes: it does not apply, or cannot be checked here). */
  ok: boolean;
  /** Does not apply to this set-up, or could not be checked (`detail` says why). */
  skipped?: boolean;
  /** What was found, or, for a failure, what is wrong. */
  detail: string;
  /** For a failure: what to do, naming the setting. */
  fix?: string;
  /** A failure that stops the service at start (the others are reported and the service starts). */
  fatal?: boolean;
  cause?: unknown;
}

export function pass(name: string, detail: string): CheckResult {
  return { name, ok: true, detail };
}

export function fail(
  name: string,
  detail: string,
  fix: string | undefined,
  o: { fatal?: boolean; cause?: unknown } = {},
): CheckResult {
  return { name, ok: false, detail, ...(fix !== undefined && { fix }), ...o };
}

export function skip(name: string, detail: string): CheckResult {
  return { name, ok: true, skipped: true, detail };
}

/** A failure as one message for the log or stderr: what is wrong, then the fix. */
export function problemOf(result: CheckResult): string {
  if (!result.fix) return result.detail;
  if (!/[.!?]$/.test(result.detail)) return `${result.detail}: ${result.fix}`;
  return `${result.detail} ${result.fix.charAt(0).toUpperCase()}${result.fix.slice(1)}`;
}

/** The line the doctor prints for a result. */
export function lineOf(result: CheckResult): string {
  if (result.ok) return `${result.skipped ? '–' : '✅'} ${result.name} — ${result.detail}`;
  const detail = /[.!?]$/.test(result.detail) ? result.detail : `${result.detail}.`;
  return `❌ ${result.name} — ${detail}${result.fix ? ` Fix: ${result.fix}` : ''}`;
}
