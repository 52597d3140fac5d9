import { describe, expect, it } from 'vitest';
import { GROUP_ID, topicFor, topicTexts, waitFor, type World } from './harness.ts';
import { useWorld } from './use-world.ts';

let world: World;
useWorld((w) => (world = w));

describe('messages Telegram cannot take, end to end', () => {
  it('posts an attachment whose name has a line break and quotes, and the chat goes on', async () => {
    const { market, telegram } = world;
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 31 });
    const pdf = new TextEncoder().encode('%PDF-1.4 odd name');
    market.addMessage(chatId, { sender: 'CUSTOMER', attachments: [{ name: 'bad\nname".pdf', data: pdf }] });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'after the file' });
    await world.start();
    const topic = await waitFor(() => topicFor(telegram, 'Order 31'), 'topic');
    await waitFor(() => topicTexts(telegram, topic.threadId).some((t) => t.includes('after the file')), 'next message');
    const doc = telegram.messages(GROUP_ID, { threadId: topic.threadId, fromBot: true }).find((m) => m.document);
    expect(doc?.document?.fileName).toBe("bad name'.pdf");
    expect(Buffer.from(doc!.document!.data)).toEqual(Buffer.from(pdf));
    expect(doc?.caption).toContain('bad\nname".pdf');
  });
});
