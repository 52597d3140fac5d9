/**
 * The story of one problem for the report: what happened to a lost or doubled reply, or a buyer message, review
 * comment or answer posted twice or never — its requests, when they took effect, and the kills around them.
 */
import { textOf, type RunRecord } from './record.ts';
import { threadMarkerIn } from './thread-posts.ts';
import { markersIn } from './topic-posts.ts';

/** What happened to one reply: its sends, when they took effect, the kills around them, its stored state. */
export function replyStory(r: RunRecord, text: string): string {
  const rel = (ms: number) => `${((ms - r.wallT0) / 1000).toFixed(2)} s`;
  const processAt = (ms: number) => r.spawnedAt.filter((at) => at <= ms).length - 1;
  const requests = r.world.market.requests.filter((q) => q.operationId === 'sendMessageToChat' && textOf(q) === text);
  const sends = requests.map((q) => `${rel(q.at)} by process ${processAt(q.at)} (${q.status || 'no answer'})`);
  const effects = r.world.market.sent.filter((s) => s.text === text).map((s) => rel(s.at));
  const from = requests[0]?.at ?? 0;
  const kills = r.killedAt.map((t, i) => [t, i] as const).filter(([t]) => t >= from - 10_000);
  const stored = r.storedReplies.get(text);
  const state = stored
    ? `stored as ${stored.state ?? '?'} after ${stored.attempts ?? '?'} attempts` +
      (stored.noticeId === undefined ? ', no notice' : `, notice ${String(stored.noticeId)}`)
    : 'not in the store';
  return (
    `sends at ${sends.join(', ') || 'none'}; took effect at ${effects.join(', ') || 'never'}; ` +
    `kills at ${kills.map(([t, i]) => `${rel(t)} (#${i + 1})`).join(', ') || 'none nearby'}; ${state}`
  );
}

/** The Telegram calls that posted buyer message n, and the kills around them. */
export function postStory(r: RunRecord, n: number): string {
  return callStory(
    r,
    r.world.telegram.calls.filter(
      (c) => c.method === 'sendMessage' && typeof c.params.text === 'string' && markersIn(c.params.text).includes(n),
    ),
  );
}

/** The Telegram calls that posted review comment or answer n (`t<n>`), and the kills around them. */
export function threadPostStory(r: RunRecord, n: number): string {
  return callStory(
    r,
    r.world.telegram.calls.filter((c) => threadMarkerIn(c) === n),
  );
}

function callStory(r: RunRecord, calls: ReadonlyArray<RunRecord['world']['telegram']['calls'][number]>): string {
  const rel = (ms: number) => `${((ms - r.wallT0) / 1000).toFixed(2)} s`;
  const processAt = (ms: number) => r.spawnedAt.filter((at) => at <= ms).length - 1;
  const from = calls[0]?.at ?? 0;
  const to = calls[calls.length - 1]?.at ?? 0;
  const kills = r.killedAt
    .map((t, i) => [t, i] as const)
    .filter(([t]) => t >= from - 5_000 && t <= to + 5_000)
    .map(([t, i]) => `${rel(t)} (#${i + 1}, highest message id ${r.crashes[i]?.boundaryMessageId ?? '?'})`);
  return (
    `posted by calls at ${calls.map((c) => `${rel(c.at)} by process ${processAt(c.at)} into thread ${String(c.params.message_thread_id)} (${c.status || 'no answer'})`).join(', ')}; ` +
    `kills at ${kills.join(', ') || 'none nearby'}`
  );
}
