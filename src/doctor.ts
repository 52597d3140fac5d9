/**
 * Entry point of `npm run doctor`: reads `.env` and the environment as the service does, runs every check of
 * the set-up (checks/doctor.ts) without starting the bridge, prints one line per check, and exits 0 only when
 * all pass (1 when a check fails, 2 when the configuration is invalid).
 */
import { existsSync } from 'node:fs';
import { runDoctor } from './checks/doctor.ts';

if (existsSync('.env')) process.loadEnvFile('.env');
runDoctor({ env: process.env, write: (line) => process.stdout.write(`${line}\n`) }).then(
  (code) => {
    process.exitCode = code;
    // Keep-alive sockets must not hold the answer back.
    setTimeout(() => process.exit(code), 500).unref();
  },
  (err: unknown) => {
    process.stderr.write(`marketgram doctor: unexpected failure: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
