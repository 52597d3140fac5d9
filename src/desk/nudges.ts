/**
 * Reminders and escalations, once per waiting episode. A chat that has waited REMIND_AFTER gets a reminder in
 * its topic that mentions its owner (or asks someone to take it) with a Take button; one that has waited
 * ESCALATE_AFTER is named in General with its wait and owner — the chats due at one look share one message, so
 * a morning after a night off costs one post, not one per chat. Nothing fires outside WORK_HOURS; at opening
 * what still waits is due at once. When the chat is answered, its reminder and its escalation line are edited
 * to say so (in the cosmetic lane). What was sent is kept on the chat's record, so a restart sends nothing
 * twice. Waits that began before marketgram's store existed (a first start's old chats) are shown on the board
 * but not nudged: the board already lists them all, and a first start has better use for its Telegram calls.
 */
import { html, joinHtml, type Html } from '../bridge/html.ts';
import type { TelegramMessageId } from '../bridge/ids.ts';
import { MessageGoneError, TopicGoneError, type Button } from '../bridge/ports.ts';
import type { ChatRecord, NudgeRecord } from '../bridge/store-port.ts';
import { waitingSince } from '../bridge/waits.ts';
import type { ChatWaiting } from './figures.ts';
import type { DeskOptions } from './options.ts';

/** Chats named in one escalation at most (the rest are counted). */
const MAX_ESCALATION_LINES = 30;

export class Nudges {
  constructor(private readonly o: DeskOptions) {}

  /** Sends what is due (when `open`) and marks done what was answered. One Telegram call at a time. */
  async run(waiting: readonly ChatWaiting[], records: readonly ChatRecord[], nowMs: number, open: boolean) {
    if (open) {
      await this.remind(waiting, nowMs);
      await this.escalate(waiting, nowMs);
    }
    await this.markDone(records);
  }

  private due(w: ChatWaiting, afterMs: number, sent: NudgeRecord | undefined): boolean {
    const { rec } = w;
    return (
      afterMs > 0 &&
      w.waitedMs >= afterMs &&
      sent?.since !== w.since &&
      w.topicId !== undefined &&
      rec.backfilled === true &&
      !rec.closed &&
      // With the minute of slack of the history rule (the Market's times have whole seconds).
      Date.parse(w.since) >= Date.parse(this.o.store.initializedAt) - 60_000
    );
  }

  private async remind(waiting: readonly ChatWaiting[], nowMs: number): Promise<void> {
    const { o } = this;
    for (const w of waiting) {
      const { rec } = w;
      // Looked at again now: an earlier reminder may have waited long for its turn.
      if (!this.due(w, o.remindAfterMs, rec.reminder) || waitingSince(rec) !== w.since) continue;
      const topicId = w.topicId!;
      const waited = this.duration(nowMs - Date.parse(w.since));
      const who = rec.owner ? mention(rec.owner) : html`${o.t.board.noOwner}`;
      const take: Button = { text: o.t.owner.takeButton, action: { kind: 'take', topicId } };
      try {
        const messageId = await o.telegram.sendText(topicId, html`${o.t.board.reminder(waited)} ${who}`, {
          buttons: [take],
          lane: 'waiting',
        });
        rec.reminder = { since: w.since, messageId, at: new Date(nowMs).toISOString() };
        o.store.saveChat(rec);
        await o.store.commit();
      } catch (err) {
        // A deleted topic gets its reminder once the mirror has made a new one.
        o.log[err instanceof TopicGoneError ? 'debug' : 'warn'](
          { err, marketChatId: rec.marketChatId },
          'could not remind',
        );
      }
    }
  }

  private async escalate(waiting: readonly ChatWaiting[], nowMs: number): Promise<void> {
    const { o } = this;
    const due = waiting.filter(
      (w) => this.due(w, o.escalateAfterMs, w.rec.escalation) && waitingSince(w.rec) === w.since,
    );
    if (due.length === 0) return;
    const at = new Date(nowMs).toISOString();
    const entries = due.map((w) => ({ rec: w.rec, nudge: { since: w.since, at } }));
    try {
      const messageId = await o.telegram.sendGeneral(this.escalationText(entries), { lane: 'waiting' });
      for (const { rec, nudge } of entries) {
        rec.escalation = { ...nudge, messageId };
        o.store.saveChat(rec);
      }
      await o.store.commit();
    } catch (err) {
      o.log.warn({ err, chats: due.length }, 'could not escalate');
    }
  }

  /** Reminders and escalation lines of chats that no longer wait in their episode are edited to say so. */
  private async markDone(records: readonly ChatRecord[]): Promise<void> {
    const { o } = this;
    const escalations = new Map<TelegramMessageId, ChatRecord[]>();
    for (const rec of records) {
      const r = rec.reminder;
      if (r && !r.shownDone && isDone(rec, r)) {
        const after = answeredAfter(rec, r);
        await this.edit(
          rec,
          r,
          html`${o.t.board.reminderDone(after === undefined ? undefined : this.duration(after))}`,
        );
      }
      if (rec.escalation)
        escalations.set(rec.escalation.messageId, [...(escalations.get(rec.escalation.messageId) ?? []), rec]);
    }
    for (const [, recs] of escalations) {
      const news = recs.filter((rec) => !rec.escalation!.shownDone && isDone(rec, rec.escalation!));
      if (news.length === 0) continue;
      const text = this.escalationText(recs.map((rec) => ({ rec, nudge: rec.escalation! })));
      for (const rec of news) await this.edit(rec, rec.escalation!, text, rec !== news[0]);
    }
  }

  /** Edits a nudge's message to `text` (unless `skipCall`: the same message was edited already) and marks it done. */
  private async edit(rec: ChatRecord, nudge: NudgeRecord, text: Html, skipCall = false): Promise<void> {
    const { o } = this;
    try {
      if (!skipCall) await o.telegram.editText(nudge.messageId, text, [], 'cosmetic');
    } catch (err) {
      if (!(err instanceof MessageGoneError)) {
        o.log.warn({ err, marketChatId: rec.marketChatId }, 'could not mark a reminder done');
        return;
      }
    }
    nudge.shownDone = true;
    o.store.saveChat(rec);
    await o.store.commit();
  }

  private escalationText(entries: ReadonlyArray<{ rec: ChatRecord; nudge: Pick<NudgeRecord, 'since' | 'at'> }>): Html {
    const { o } = this;
    const sorted = [...entries].sort((a, b) => Date.parse(a.nudge.since) - Date.parse(b.nudge.since));
    const lines = sorted.slice(0, MAX_ESCALATION_LINES).map(({ rec, nudge }) => {
      const title = rec.title ?? `#${rec.marketChatId}`;
      const link = rec.topicId === undefined ? html`${title}` : html`<a href="${o.link(rec.topicId)}">${title}</a>`;
      if (isDone(rec, nudge)) return html`• <s>${link}</s> — ✅ ${o.t.board.answered}`;
      const waited = this.duration(Date.parse(nudge.at) - Date.parse(nudge.since));
      return html`• ${link} — ${o.t.board.escalationWait(waited)} · ${rec.owner ? mention(rec.owner) : o.t.board.unowned}`;
    });
    const more = sorted.length - lines.length;
    return joinHtml(
      [
        html`<b>${o.t.board.escalation(sorted.length)}</b>`,
        ...lines,
        ...(more > 0 ? [html`${o.t.board.andMore(more)}`] : []),
      ],
      '\n',
    );
  }

  private duration(ms: number): string {
    return this.o.t.progress.duration(Math.max(0, ms) / 1000);
  }
}

/** The chat no longer waits in the episode the nudge was about. */
function isDone(rec: ChatRecord, nudge: Pick<NudgeRecord, 'since'>): boolean {
  return waitingSince(rec) !== nudge.since;
}

/** How long the buyer had waited when the seller answered the episode, if the answer is on record. */
function answeredAfter(rec: ChatRecord, nudge: NudgeRecord): number | undefined {
  const since = Date.parse(nudge.since);
  return rec.answers?.find((a) => Date.parse(a.at) >= since && Math.abs(Date.parse(a.at) - a.waitedMs - since) < 1000)
    ?.waitedMs;
}

/** A mention that notifies the person (works without a username). */
function mention(person: { id: number; name: string }): Html {
  return html`<a href="tg://user?id=${person.id}">${person.name}</a>`;
}
