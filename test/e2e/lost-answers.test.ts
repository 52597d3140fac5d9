import { describe, expect, it } from 'vitest';
import { mirroredBodies, topicFor, topicTexts, waitFor, type World } from './harness.ts';
import { useWorld } from './use-world.ts';

let world: World;
useWorld((w) => (world = w));

describe('answers Telegram never sent back, end to end', () => {
  it('posts a message whose answer was lost at most twice, counts the repeat, and the chat goes on', async () => {
    const { market, telegram } = world;
    const app = await world.start();
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 41 });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'before' });
    const topic = await waitFor(() => topicFor(telegram, 'Order 41'), 'topic');
    await waitFor(() => topicTexts(telegram, topic.threadId).length === 2, 'the first message');

    telegram.failNext('sendMessage', { applyThenDrop: true });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'answer lost' });
    await waitFor(
      () => mirroredBodies(telegram, topic.threadId).filter((b) => b === 'answer lost').length === 2,
      'the post repeated once',
    );
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'after' });
    await waitFor(() => mirroredBodies(telegram, topic.threadId).at(-1) === 'after', 'the next message');
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'later' });
    await waitFor(() => mirroredBodies(telegram, topic.threadId).at(-1) === 'later', 'a later message');

    expect(mirroredBodies(telegram, topic.threadId)).toEqual([
      'before',
      'answer lost',
      'answer lost',
      'after',
      'later',
    ]);
    const metrics = (await app.metrics.render()).body;
    expect(metrics).toContain('marketgram_telegram_repeats_total{method="sendMessage"} 1');
  });
});
