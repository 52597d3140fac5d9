import { describe, expect, it } from 'vitest';
import { BUSINESS_ID, GROUP_ID, mirroredBodies, topicFor, topicTexts, waitFor, type World } from './harness.ts';
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

  it('replaces a message Telegram always refuses by a placeholder and goes on with the chat', async () => {
    const { market, telegram } = world;
    telegram.refuse('never shown', 'Bad Request: message is too long');
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 32, customer: { name: 'Ivan' } });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'first' });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'this one is never shown' });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'third' });
    const app = await world.start();
    const topic = await waitFor(() => topicFor(telegram, 'Order 32'), 'topic');
    await waitFor(() => topicTexts(telegram, topic.threadId).length === 4, 'three posts after the card');
    const [, first, placeholder, third] = topicTexts(telegram, topic.threadId);
    expect(first).toMatch(/first$/);
    expect(third).toMatch(/third$/);
    expect(placeholder).toContain('Telegram refused this message');
    expect(placeholder).toContain('Buyer · Ivan');
    expect(placeholder).toContain('Text, 23 characters');
    expect(placeholder).toContain('Reason: Bad Request: message is too long');
    expect(placeholder).not.toContain('never shown');
    const link = telegram
      .messages(GROUP_ID, { threadId: topic.threadId, fromBot: true })
      .at(-2)
      ?.entities?.find((e) => e.type === 'text_link');
    expect(link).toMatchObject({
      url: `https://partner.market.yandex.ru/business/${BUSINESS_ID}/chats?chatId=${chatId}`,
    });

    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'later' });
    await waitFor(() => topicTexts(telegram, topic.threadId).length === 5, 'a later message');
    expect(mirroredBodies(telegram, topic.threadId).at(-1)).toBe('later');
    expect((await app.metrics.render()).body).toContain(
      'marketgram_telegram_refused_total{kind="text",outcome="placeholder"} 1',
    );
  });

  it('falls back to a minimal plain placeholder when Telegram refuses the placeholder too', async () => {
    const { market, telegram } = world;
    telegram.refuse('poison.pdf', 'Bad Request: wrong file identifier/HTTP URL specified');
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 33 });
    const refused = market.addMessage(chatId, {
      sender: 'CUSTOMER',
      attachments: [{ name: 'poison.pdf', data: new TextEncoder().encode('%PDF-1.4') }],
    });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'after it' });
    const app = await world.start();
    const topic = await waitFor(() => topicFor(telegram, 'Order 33'), 'topic');
    await waitFor(() => topicTexts(telegram, topic.threadId).length === 3, 'placeholder and the next message');
    const [, minimal, next] = topicTexts(telegram, topic.threadId);
    expect(minimal).toBe(`⚠️ Market message ${refused} could not be shown in Telegram. Read it in the seller cabinet.`);
    expect(next).toMatch(/after it$/);
    expect((await app.metrics.render()).body).toContain(
      'marketgram_telegram_refused_total{kind="file",outcome="minimal"} 1',
    );
  });
});
