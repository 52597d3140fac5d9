/**
 * Entry point: the bridge as a process (process.ts) — `.env` and the environment, start, graceful stop on SIGTERM
 * or SIGINT (exit 0), a message saying what to fix and a non-zero exit for bad configuration or credentials.
 */
import { runProcess } from './process.ts';

runProcess();
