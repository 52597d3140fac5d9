/**
 * The bridge process of a chaos run: what `src/main.ts` runs (src/process.ts), with the run's timings for the
 * review and question poller, which only the app's overrides set (supervisor.ts passes them as JSON).
 */
import { runProcess } from '../../src/process.ts';
import { OVERRIDES_VARIABLE, type ChaosBridgeOverrides } from './supervisor.ts';

runProcess(JSON.parse(process.env[OVERRIDES_VARIABLE] ?? '{}') as ChaosBridgeOverrides);
