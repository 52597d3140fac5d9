/**
 * The Market's side of `MARKET_NOTIFICATIONS=on` in a chaos run: CHAT_CREATED and CHAT_MESSAGE_SENT, and the
 * reviews' and questions' notifications the fake Market makes, posted to the bridge's listener, retried while the
 * bridge is down or restarting, as the Market retries.
 */
import { BUSINESS_ID } from '../e2e/harness.ts';
import type { QuestionNotification } from '../fakes/market-question-types.ts';
import type { ReviewNotification } from '../fakes/market-review-types.ts';
import type { FakeChatMessage } from '../fakes/market-server.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

export class Notifier {
  /** Notifications posted, delivered (answered 200), attempts retried, and given up after 60 tries. */
  readonly counts = { posted: 0, delivered: 0, retries: 0, gaveUp: 0 };
  private readonly inFlight = new Set<Promise<void>>();

  /**
   * @param port the bridge's HTTP port (the same across restarts)
   * @param stopped true once the run is over: retries stop
   */
  constructor(
    private readonly port: () => number,
    private readonly stopped: () => boolean,
  ) {}

  /** Notifications still being posted or retried. */
  get pending(): number {
    return this.inFlight.size;
  }

  /** Resolves when every notification posted so far is delivered or given up. */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  chatCreated(chatId: number): void {
    this.post({
      notificationType: 'CHAT_CREATED',
      chatId,
      businessId: BUSINESS_ID,
      createdAt: new Date().toISOString(),
    });
  }

  /** Every message written at the Market (buyer messages and our replies' echoes) is announced. */
  messageSent(m: FakeChatMessage): void {
    this.post({
      notificationType: 'CHAT_MESSAGE_SENT',
      chatId: m.chatId,
      messageId: String(m.messageId),
      businessId: BUSINESS_ID,
      sentAt: new Date().toISOString(),
    });
  }

  /** A GOODS_FEEDBACK_* or QUESTION_* notification as the fake Market made it, posted `delayMs` later. */
  feedback(n: ReviewNotification | QuestionNotification, delayMs = 0): void {
    if (delayMs <= 0) return this.post(n);
    const later = sleep(delayMs).then(() => {
      if (!this.stopped()) this.post(n);
    });
    this.inFlight.add(later);
    void later.finally(() => this.inFlight.delete(later));
  }

  /** Posts a notification, retrying (250 ms doubling to 2 s, at most 60 tries) while the bridge is down. */
  private post(body: unknown): void {
    this.counts.posted++;
    const attempt = async () => {
      let pause = 250;
      for (let i = 0; i < 60; i++) {
        if (this.stopped()) break;
        try {
          const res = await fetch(`http://127.0.0.1:${this.port()}/market/notification`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(3_000),
          });
          await res.arrayBuffer();
          if (res.status === 200) {
            this.counts.delivered++;
            return;
          }
        } catch {
          // the bridge is down or restarting: try again
        }
        this.counts.retries++;
        await sleep(pause);
        pause = Math.min(2_000, pause * 2);
      }
      this.counts.gaveUp++;
    };
    const p = attempt().finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }
}
