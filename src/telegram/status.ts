/**
 * The /status command, for anyone in the configured group, in the operators' language: first what a seller
 * asks (who waits, how long, who owns what, today's response times), then the health report.
 */
import type { Bot } from 'grammy';
import { html, joinHtml, type Html } from '../bridge/html.ts';
import type { Texts } from '../bridge/texts.ts';
import { chatTitle, type TopicLinker } from '../desk/chat-line.ts';
import type { DeskSummary } from '../desk/summary.ts';
import type { Health, HealthReport } from '../health.ts';
import { topicLink } from './topic-links.ts';

/** Owners named on /status; more are shown as "…". */
const OWNERS_SHOWN = 5;

const QUOTA_SHOWN: Record<string, string> = {
  getChatHistory: 'history',
  getChats: 'list',
  sendMessageToChat: 'send',
  getChatMessage: 'message',
  getChat: 'chat',
};

/** The desk's lines /status begins with: a few short lines for a phone. */
export function deskLines(d: DeskSummary, t: Texts, link: TopicLinker): Html[] {
  const s = t.deskStatus.status;
  const { waiting, tooLong, disputes, owners, unowned } = d.figures;
  const lines: Html[] = [];
  const oldest = waiting[0];
  if (oldest === undefined) lines.push(html`${s.nobodyWaits(disputes)}`);
  else {
    lines.push(html`${s.waiting(waiting.length, tooLong, disputes)}`);
    lines.push(html`${s.oldest(t.deskStatus.duration(oldest.waitedMs))} ${chatTitle(oldest, link)}`);
    const named = owners.slice(0, OWNERS_SHOWN).map((o) => `${o.name} ${o.waiting}`);
    if (owners.length > OWNERS_SHOWN) named.push('…');
    lines.push(html`${s.owners(named.join(', '), unowned)}`);
  }
  const r = d.today;
  lines.push(
    html`${
      r.answered === 0 || r.medianMs === undefined || r.p90Ms === undefined
        ? s.noAnswersToday
        : s.today({
            answered: r.answered,
            median: t.deskStatus.duration(r.medianMs),
            p90: t.deskStatus.duration(r.p90Ms),
            withinHourPercent: Math.round((r.withinHour ?? 0) * 100),
          })
    }`,
  );
  return lines;
}

/** The answer to /status: the desk's lines (when given), then the health report. */
export function formatStatus(
  r: HealthReport,
  t: Texts,
  desk?: { summary: DeskSummary; link: TopicLinker },
  cabinet?: string,
): Html {
  const h = t.health;
  const when = (s: number | undefined) => (s === undefined ? h.never : h.ago(s));
  const mark = (ok: boolean) => (ok ? '✓' : '✗');
  const line = (label: string, c: HealthReport['checks']['telegram']) =>
    `${mark(c.ok)} ${label}${c.ok ? '' : `: ${c.detail ?? ''}`}`;
  const quota = Object.entries(r.quota)
    .filter(([op, q]) => QUOTA_SHOWN[op] && q.remaining !== undefined)
    .map(([op, q]) => `${QUOTA_SHOWN[op]} ${q.remaining}/${q.limit ?? '?'}`)
    .join(', ');
  const lines: Array<Html | string> = [
    ...(cabinet === undefined ? [] : [html`<b>${h.cabinet(cabinet)}</b>`]),
    ...(desk ? [...deskLines(desk.summary, t, desk.link), ''] : []),
    html`<b>${r.ready ? h.ok : h.notOk}</b>`,
    line(h.telegram, r.checks.telegram),
    line(h.market, r.checks.market),
    line(h.intake, r.checks.intake),
    // The store is shown only when it fails (it cannot be written): otherwise it is simply there.
    ...(r.checks.store.ok ? [] : [line(h.store, r.checks.store)]),
    '',
    `${h.lastPoll}: ${when(r.lastPollAgeSeconds)}`,
    ...(r.mode.notifications ? [`${h.lastNotification}: ${when(r.lastNotificationAgeSeconds)}`] : []),
    `${h.chats}: ${r.chats} · ${h.queue}: ${r.queueDepth} · ${h.backlog}: ${r.backlog} · ${h.replies}: ${r.repliesWaiting}`,
    `${h.telegramQueue}: ${Object.values(r.telegramQueue).reduce((a, b) => a + b, 0)}`,
    ...(quota ? [`${h.quota}: ${quota}`] : []),
    h.mode(r.mode.telegram, r.mode.notifications),
  ];
  return joinHtml(lines, '\n');
}

/**
 * `desk`: the desk's figures now (a source, so /status never sees the store); none: health only. `cabinet`: the
 * name the answer begins with, when the process serves several cabinets (each answers for itself).
 */
export function installStatusCommand(
  bot: Bot,
  groupId: number,
  health: Health,
  t: Texts,
  desk?: () => DeskSummary,
  cabinet?: string,
): void {
  const link: TopicLinker = (topicId) => topicLink(groupId, topicId);
  bot.command('status', async (ctx) => {
    if (ctx.chat.id !== groupId) return;
    const report = await health.report();
    await ctx.reply(formatStatus(report, t, desk && { summary: desk(), link }, cabinet).markup, {
      parse_mode: 'HTML',
      message_thread_id: ctx.message?.is_topic_message ? ctx.message.message_thread_id : undefined,
      link_preview_options: { is_disabled: true },
    });
  });
}
