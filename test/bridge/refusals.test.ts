import { describe, expect, it } from 'vitest';
import { TelegramRefusedError } from '../../src/bridge/ports.ts';
import { makeBridge, marketChatId } from './memory-ports.ts';

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Bridge: posts Telegram refuses', () => {
  it('does not move past a message while Telegram refuses every post into its topic, placeholders too', async () => {
    const { market, telegram, bridge, store } = await makeBridge();
    market.addChat(1);
    market.addMessage(1, 'CUSTOMER', 'first');
    bridge.chatSeen(market.chats.get(1)!);
    await bridge.idle();
    const cursor = store.findChat(marketChatId(1))?.cursor;
    let refusing = true;
    let refusals = 0;
    const send = telegram.sendText.bind(telegram);
    telegram.sendText = (id, html, options) => {
      if (!refusing) return send(id, html, options);
      refusals++;
      return Promise.reject(new TelegramRefusedError('sendMessage', 400, 'Bad Request: TOPIC_CLOSED'));
    };
    market.addMessage(1, 'CUSTOMER', 'waits');
    bridge.requestSync(marketChatId(1));
    // Message, placeholder and minimal placeholder refused, twice over: the chat is retried, not skipped.
    await until(() => refusals >= 6, 'two rounds of refusals');
    expect(store.findChat(marketChatId(1))?.cursor).toBe(cursor);

    refusing = false;
    await until(() => telegram.inTopic(1).some((p) => p.html.endsWith('\nwaits')), 'the message');
    const bodies = telegram.inTopic(1).map((p) => p.html);
    expect(bodies.filter((h) => h.endsWith('\nwaits'))).toHaveLength(1);
    expect(bodies.some((h) => h.includes('refused') || h.includes('could not be shown'))).toBe(false);
    bridge.stop();
  });
});
