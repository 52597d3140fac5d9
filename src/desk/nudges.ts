/**
 * Reminders and escalations, once per waiting episode. A chat that has waited REMIND_AFTER gets a reminder in
 * its topic that mentions its owner (or asks someone to take it) with a Take button; one that has waited
 * ESCALATE_AFTER is named in General with its wait and owner — the chats due at one look share one message, so
 * a morning after a night off costs one post, not one per chat. Reviews and questions that wait are nudged the
 * same way (their reminders have no Take: they have no owner). Nothing fires outside WORK_HOURS; at opening
 * what still waits is due at once. When the chat is answered, its reminder and its escalation line are edited
 * to say so (in the cosmetic lane). What was sent is kept on the chat's record, so a restart sends nothing
 * twice. Waits that began before marketgram's store existed (a first start's old chats) are shown on the board
 * but not nudged: the board already lists them all, and a first start has better use for its Telegram calls.
 */
import { html, joinHtml, type Html } from '../bridge/html.ts';
import type { TelegramMessageId } from '../bridge/ids.ts';
import { MessageGoneError, TopicGoneError, type Button } from '../bridge/ports.ts';
import type { NudgeRecord } from '../bridge/store-port.ts';
import { linkedTitle } from './chat-line.ts';
import type { Nudgee } from './nudgees.ts';
import type { DeskOptions } from './options.ts';

/** Chats named in one escalation at most (the rest are counted). */
const MAX_ESCALATION_LINES = 30;

export class Nudges {
  constructor(private readonly o: DeskOptions) {}

  /** Sends what is due (when `open`) and marks done what was answered. One Telegram call at a time. */
  async run(all: readonly Nudgee[], nowMs: number, open: boolean): Promise<void> {
    if (open) {
      const waiting = all
        .map((n) => ({ n, since: n.since() }))
        .filter((w): w is { n: Nudgee; since: string } => w.since !== undefined)
        .sort((a, b) => Date.parse(a.since) - Date.parse(b.since));
      await this.remind(waiting, nowMs);
      await this.escalate(waiting, nowMs);
    }
    await this.markDone(all);
  }

  private due(n: Nudgee, since: string, nowMs: number, afterMs: number, sent: NudgeRecord | undefined): boolean {
    return (
      afterMs > 0 &&
      nowMs - Date.parse(since) >= afterMs &&
      sent?.since !== since &&
      n.topicId !== undefined &&
      n.ready &&
      // With the minute of slack of the history rule (the Market's times have whole seconds).
      Date.parse(since) >= Date.parse(this.o.store.initializedAt) - 60_000
    );
  }

  private async remind(waiting: ReadonlyArray<{ n: Nudgee; since: string }>, nowMs: number): Promise<void> {
    const { o } = this;
    for (const { n, since } of waiting) {
      // Looked at again now: an earlier reminder may have waited long for its turn.
      if (!this.due(n, since, nowMs, o.remindAfterMs, n.record.reminder) || n.since() !== since) continue;
      const topicId = n.topicId!;
      const waited = this.duration(nowMs - Date.parse(since));
      const chat = n.kind === 'chat';
      const who = n.owner ? html` ${mention(n.owner)}` : chat ? html` ${o.t.board.noOwner}` : html``;
      const buttons: Button[] = chat ? [{ text: o.t.owner.takeButton, action: { kind: 'take', topicId } }] : [];
      try {
        const messageId = await o.telegram.sendText(topicId, html`${o.t.board.reminder(waited)}${who}`, {
          buttons,
          lane: 'waiting',
        });
        n.record.reminder = { since, messageId, at: new Date(nowMs).toISOString() };
        n.save();
        await o.store.commit();
      } catch (err) {
        // A deleted topic gets its reminder once the mirror has made a new one.
        o.log[err instanceof TopicGoneError ? 'debug' : 'warn']({ err, key: n.key }, 'could not remind');
      }
    }
  }

  private async escalate(waiting: ReadonlyArray<{ n: Nudgee; since: string }>, nowMs: number): Promise<void> {
    const { o } = this;
    const due = waiting.filter(
      ({ n, since }) => this.due(n, since, nowMs, o.escalateAfterMs, n.record.escalation) && n.since() === since,
    );
    if (due.length === 0) return;
    const at = new Date(nowMs).toISOString();
    const entries = due.map(({ n, since }) => ({ n, nudge: { since, at } }));
    try {
      const messageId = await o.telegram.sendGeneral(this.escalationText(entries), { lane: 'waiting' });
      for (const { n, nudge } of entries) {
        n.record.escalation = { ...nudge, messageId };
        n.save();
      }
      await o.store.commit();
    } catch (err) {
      o.log.warn({ err, chats: due.length }, 'could not escalate');
    }
  }

  /** Reminders and escalation lines of what no longer waits in their episode are edited to say so. */
  private async markDone(all: readonly Nudgee[]): Promise<void> {
    const { o } = this;
    const escalations = new Map<TelegramMessageId, Nudgee[]>();
    for (const n of all) {
      const r = n.record.reminder;
      if (r && !r.shownDone && isDone(n, r)) {
        const after = n.answeredAfter(r.since);
        await this.edit(n, r, html`${o.t.board.reminderDone(after === undefined ? undefined : this.duration(after))}`);
      }
      const e = n.record.escalation;
      if (e) escalations.set(e.messageId, [...(escalations.get(e.messageId) ?? []), n]);
    }
    for (const [, ns] of escalations) {
      const news = ns.filter((n) => !n.record.escalation!.shownDone && isDone(n, n.record.escalation!));
      if (news.length === 0) continue;
      const text = this.escalationText(ns.map((n) => ({ n, nudge: n.record.escalation! })));
      for (const n of news) await this.edit(n, n.record.escalation!, text, n !== news[0]);
    }
  }

  /** Edits a nudge's message to `text` (unless `skipCall`: the same message was edited already) and marks it done. */
  private async edit(n: Nudgee, nudge: NudgeRecord, text: Html, skipCall = false): Promise<void> {
    const { o } = this;
    try {
      if (!skipCall) await o.telegram.editText(nudge.messageId, text, [], 'cosmetic');
    } catch (err) {
      if (!(err instanceof MessageGoneError)) {
        o.log.warn({ err, key: n.key }, 'could not mark a reminder done');
        return;
      }
    }
    nudge.shownDone = true;
    n.save();
    await o.store.commit();
  }

  private escalationText(entries: ReadonlyArray<{ n: Nudgee; nudge: Pick<NudgeRecord, 'since' | 'at'> }>): Html {
    const { o } = this;
    const t = o.t.board;
    const sorted = [...entries].sort((a, b) => Date.parse(a.nudge.since) - Date.parse(b.nudge.since));
    const lines = sorted.slice(0, MAX_ESCALATION_LINES).map(({ n, nudge }) => {
      const label = n.kind === 'review' ? `${t.reviewLabel} ` : n.kind === 'question' ? `${t.questionLabel} ` : '';
      const link = linkedTitle(n.title, n.topicId, o.link);
      if (isDone(n, nudge)) return html`• ${label}<s>${link}</s> — ✅ ${t.answered}`;
      const waited = this.duration(Date.parse(nudge.at) - Date.parse(nudge.since));
      return html`• ${label}${link} — ${t.escalationWait(waited)} · ${n.owner ? mention(n.owner) : t.unowned}`;
    });
    const more = sorted.length - lines.length;
    return joinHtml(
      [html`<b>${t.escalation(sorted.length)}</b>`, ...lines, ...(more > 0 ? [html`${t.andMore(more)}`] : [])],
      '\n',
    );
  }

  private duration(ms: number): string {
    return this.o.t.progress.duration(Math.max(0, ms) / 1000);
  }
}

/** It no longer waits in the episode the nudge was about. */
function isDone(n: Nudgee, nudge: Pick<NudgeRecord, 'since'>): boolean {
  return n.since() !== nudge.since;
}

/** A mention that notifies the person (works without a username). */
function mention(person: { id: number; name: string }): Html {
  return html`<a href="tg://user?id=${person.id}">${person.name}</a>`;
}
