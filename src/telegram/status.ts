/**
 * The /status command: the health report, in the operators' language, for anyone in the configured group.
 */
import type { Bot } from 'grammy';
import { html, joinHtml, type Html } from '../bridge/html.ts';
import type { Texts } from '../bridge/texts.ts';
import type { Health, HealthReport } from '../health.ts';

const QUOTA_SHOWN: Record<string, string> = {
  getChatHistory: 'history',
  getChats: 'list',
  sendMessageToChat: 'send',
  getChatMessage: 'message',
  getChat: 'chat',
};

export function formatStatus(r: HealthReport, t: Texts): Html {
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

export function installStatusCommand(bot: Bot, groupId: number, health: Health, t: Texts): void {
  bot.command('status', async (ctx) => {
    if (ctx.chat.id !== groupId) return;
    const report = await health.report();
    await ctx.reply(formatStatus(report, t).markup, {
      parse_mode: 'HTML',
      message_thread_id: ctx.message?.is_topic_message ? ctx.message.message_thread_id : undefined,
    });
  });
}
