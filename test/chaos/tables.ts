/**
 * A chaos run's report as table rows (figure, then one cell per run), for the terminal and for BENCHMARKS.md.
 */
import type { ChaosReport } from './report.ts';

/** An integer with thousands separators. */
const int = (n: number): string => n.toLocaleString('en-US');

export const faultCount = (r: ChaosReport) => Object.values(r.faults).reduce((s, n) => s + n, 0);

const yesNo = (n: number) => (n === 0 ? '0' : `**${n}**`);

/** The rows of the main table: figure, then one cell per run. */
export function figureRows(reports: readonly ChaosReport[]): string[][] {
  const row = (name: string, cell: (r: ChaosReport) => string) => [name, ...reports.map(cell)];
  const z = (r: ChaosReport) => r.mustBeZero;
  return [
    row('seed / workload s / a fault every ms (mean)', (r) =>
      [r.options.seed, Math.round(r.options.workloadMs / 1000), r.options.faultEveryMs].join(' / '),
    ),
    row(
      'buyer messages written / chats (of which born during the run)',
      (r) => `${int(r.buyerMessages)} / ${r.chatsCreated} (${r.options.lateChats})`,
    ),
    row('operator replies typed', (r) => int(r.repliesTyped)),
    row('kill -9 (each followed by a restart)', (r) => String(r.crashes.length)),
    row('topics deleted in Telegram', (r) => String(r.topicsDeleted)),
    row(
      'faults injected (of which on the Market calls of reviews and questions)',
      (r) => `${int(faultCount(r))} (${int(r.threads.faults)})`,
    ),
    row('**buyer messages lost** (must be 0)', (r) => yesNo(z(r).buyerMessagesLost)),
    row('**out of order within a topic** (must be 0)', (r) => yesNo(z(r).outOfOrder)),
    row('**garbled or in a wrong topic** (must be 0)', (r) => yesNo(z(r).garbled + z(r).wrongTopic)),
    row('buyer messages duplicated in Telegram (extra copies)', (r) => String(r.duplicates)),
    row('… of which not explained by a crash (must be 0)', (r) => yesNo(z(r).duplicatesWithoutCrash)),
    row('… most posts one crash repeated in one chat (design: 1)', (r) => String(r.maxDuplicatesPerChatPerCrash)),
    row(
      'crashes that caused duplicates',
      (r) => `${r.crashes.filter((c) => c.duplicates > 0).length} of ${r.crashes.length}`,
    ),
    row(
      'crashes with a request in flight at the fakes',
      (r) =>
        `${r.crashes.filter((c) => c.telegramPostsInFlight + c.marketRequestsInFlight > 0).length} of ${r.crashes.length}`,
    ),
    row('Market sends that took effect after the kill of their process', (r) =>
      String(r.crashes.reduce((s, c) => s + c.marketSendsLandedAfterKill, 0)),
    ),
    row('**replies delivered twice** (must be 0)', (r) => yesNo(z(r).repliesDeliveredTwice)),
    row('**replies lost** (must be 0)', (r) => yesNo(z(r).repliesLost)),
    row('**replies to a wrong chat / echoed into the topic** (must be 0)', (r) =>
      yesNo(z(r).repliesMisrouted + z(r).repliesEchoedIntoTopic),
    ),
    row('**chats without exactly 1 live topic** (must be 0)', (r) => yesNo(z(r).chatsWithoutOneLiveTopic)),
    row('live topics / chats', (r) => `${r.liveTopics} / ${r.chatsCreated}`),
    row(
      'empty topics left by a kill during topic creation / most from one kill (design: 1)',
      (r) => `${r.emptyTopics} / ${r.maxEmptyTopicsPerCrash}`,
    ),
    row('**empty topics not explained by a kill** (must be 0)', (r) => yesNo(z(r).emptyTopicsWithoutCrash)),
    row('live topics without their context card first', (r) => String(r.topicsWithoutCard)),
    row(
      'reviews / questions (of which born during the run)',
      (r) => `${r.threads.reviews} / ${r.threads.questions} (${r.threads.late})`,
    ),
    row(
      'review comments / answers / comments on answers written (of which reply to a comment)',
      (r) =>
        `${int(r.threads.reviewComments)} / ${int(r.threads.answers)} / ${int(r.threads.answerComments)} (${int(r.threads.repliesToComments)})`,
    ),
    row('**review comments and answers lost** (must be 0)', (r) => yesNo(z(r).threadPostsLost)),
    row('**out of the Market’s order within a review or question** (must be 0)', (r) =>
      yesNo(z(r).threadPostsOutOfOrder),
    ),
    row('**review comments and answers garbled or in a wrong topic** (must be 0)', (r) =>
      yesNo(z(r).threadPostsGarbled + z(r).threadPostsInWrongTopic),
    ),
    row('review comments, answers and cards posted again (extra copies)', (r) => String(r.threads.duplicates)),
    row('… not explained by a crash, one post a review or question per crash (must be 0)', (r) =>
      yesNo(z(r).threadPostsDuplicatedWithoutCrash),
    ),
    row('**reviews and questions without exactly 1 live topic** (must be 0)', (r) =>
      yesNo(z(r).threadsWithoutOneLiveTopic),
    ),
    row(
      'live topics / reviews and questions',
      (r) => `${r.threads.liveTopics} / ${r.threads.reviews + r.threads.questions}`,
    ),
    row('**review and question topics not opened by their card** (must be 0)', (r) =>
      yesNo(z(r).threadTopicsWithoutCard),
    ),
    row(
      'operator replies to reviews and questions typed (of which answer a buyer’s comment or answer)',
      (r) => `${r.threadReplies.typed} (${r.threadReplies.answeringAPost})`,
    ),
    row('kills while such a reply was on its way to the Market', (r) => String(r.threadReplies.killsDuringPublication)),
    row('**replies to reviews and questions published twice** (must be 0)', (r) =>
      yesNo(z(r).threadRepliesPublishedTwice),
    ),
    row('**replies to reviews and questions never published** (must be 0)', (r) => yesNo(z(r).threadRepliesLost)),
    row('**… published under something else / echoed into a topic** (must be 0)', (r) =>
      yesNo(z(r).threadRepliesMisplaced + z(r).threadRepliesEchoedIntoTopic),
    ),
    row('**… published, and the notice does not say so** (must be 0)', (r) => yesNo(z(r).threadRepliesWithoutReceipt)),
    row('**bridge exits not caused by the run** (must be 0)', (r) => yesNo(z(r).unexpectedExits)),
    row('Retry pressed by the operator under "not delivered"', (r) => String(r.operatorRetries)),
    row('notifications posted / delivered / retried / given up', (r) =>
      r.notifications
        ? `${int(r.notifications.posted)} / ${int(r.notifications.delivered)} / ${int(r.notifications.retries)} / ${r.notifications.gaveUp}`
        : '–',
    ),
    row('… review and question notifications posted twice / late', (r) =>
      r.notifications ? `${r.threads.notificationsDoubled} / ${r.threads.notificationsLate}` : '–',
    ),
    row('drain after the workload, s', (r) => `${r.drainS.toFixed(1)}${r.drained ? '' : ' (timed out)'}`),
    row('SIGTERM: exit code, s', (r) => `${String(r.stop.code ?? r.stop.signal)}, ${r.stop.seconds.toFixed(1)}`),
    row('run time, s', (r) => r.runS.toFixed(0)),
  ];
}

export function faultRows(reports: readonly ChaosReport[]): string[][] {
  const kinds = [...new Set(reports.flatMap((r) => Object.keys(r.faults)))].sort();
  const seen = [...new Set(reports.flatMap((r) => Object.keys(r.observed)))].sort();
  return [
    ...kinds.map((k) => [`injected: ${k}`, ...reports.map((r) => String(r.faults[k] ?? 0))]),
    ...seen.map((k) => [`answered: ${k}`, ...reports.map((r) => String(r.observed[k] ?? 0))]),
  ];
}

export function crashRows(report: ChaosReport): string[][] {
  return report.crashes.map((c, i) => [
    String(i + 1),
    c.atS.toFixed(1),
    `${c.uptimeS.toFixed(1)}${c.duringStartup ? ' (start-up)' : ''}`,
    `${c.telegramPostsInFlight} / ${c.marketRequestsInFlight} (${c.publicationsInFlight}) / ${c.marketSendsLandedAfterKill}`,
    c.duplicates === 0
      ? '0'
      : `${c.duplicates} in ${c.chatsWithDuplicates} ${c.chatsWithDuplicates === 1 ? 'chat' : 'chats'}`,
    String(c.threadDuplicates),
  ]);
}

export const CRASH_HEADERS = [
  'kill',
  'at s',
  'up s',
  'in flight: Telegram posts / Market requests (of which replies to reviews and questions) / Market sends that took effect after the kill',
  'buyer messages posted twice',
  'review comments, answers and cards posted twice',
];
