import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { API_KEY, TOKEN, mirroredBodies, topicFor, waitFor, type World } from './harness.ts';
import { useWorld } from './use-world.ts';

let world: World;
useWorld((w) => (world = w));

const NAME = 'Zinaida Privatnaya';
const TEXT = 'my flat is 12, the door code is 4711';

describe('logs when Telegram calls fail, end to end', () => {
  it('keeps buyer texts and names out of warnings and errors, logging ids and sizes instead', async () => {
    const { market, telegram } = world;
    const lines: Array<{ level: number; raw: string }> = [];
    const logger = createLogger(
      { level: 'debug', secrets: [TOKEN, API_KEY] },
      { write: (raw: string) => void lines.push({ level: (JSON.parse(raw) as { level: number }).level, raw }) },
    );
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 51, customer: { name: NAME } });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'hello' });
    // Telegram asks to wait longer than the transport waits: the call fails to the bridge, which logs and retries.
    telegram.failNext('sendMessage', { status: 429, retryAfter: 86_400 });
    await world.start({}, { logger });
    const topic = await waitFor(() => topicFor(telegram, 'Order 51'), 'topic');
    await waitFor(() => mirroredBodies(telegram, topic.threadId).at(-1) === 'hello', 'first message');
    telegram.failNext('sendMessage', { status: 429, retryAfter: 86_400 });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: TEXT });
    await waitFor(() => mirroredBodies(telegram, topic.threadId).at(-1) === TEXT, 'the private message');

    const loud = lines.filter((l) => l.level >= 40).map((l) => l.raw);
    // A 429 is a failure the bridge rides out: one line with the reason and the call's ids, no request body.
    const failures = loud.filter((l) => l.includes(`"reason":"Call to 'sendMessage' failed! (429: Too Many Requests`));
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(failures.some((l) => l.includes(`"message_thread_id":${topic.threadId}`))).toBe(true);
    expect(failures.every((l) => !l.includes('"text"') && !l.includes('"stack"'))).toBe(true);
    for (const line of loud) {
      expect(line).not.toContain(NAME);
      expect(line).not.toContain('door code');
    }
  });
});
