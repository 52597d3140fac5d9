import { describe, expect, it } from 'vitest';
import { GROUP_ID, OPERATOR, mirroredBodies, topicFor, topicTexts, waitFor, type World } from './harness.ts';
import { useWorld } from './use-world.ts';

let world: World;
useWorld((w) => (world = w));

const isClosed = (threadId: number) => world.telegram.topics(GROUP_ID).find((t) => t.threadId === threadId)?.closed;

describe('the topics of finished chats, end to end', () => {
  it('closes the topic when the Market finishes its chat and reopens it when the buyer writes again', async () => {
    const { market, telegram } = world;
    await world.start();
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 61, customer: { name: 'Ivan' } });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'where is my order?' });
    const topic = await waitFor(() => topicFor(telegram, 'Order 61'), 'topic');
    await waitFor(() => mirroredBodies(telegram, topic.threadId).length === 1, 'first message');
    expect(isClosed(topic.threadId)).toBe(false);

    market.setStatus(chatId, 'FINISHED');
    await waitFor(() => isClosed(topic.threadId), 'topic closed');
    await waitFor(() => topicFor(telegram, '✅ Order 61'), 'finished title');

    // Only admins write in a closed topic; an admin's reply still goes to the Market, and its echo does not
    // reopen the topic.
    expect(() => telegram.userSends(GROUP_ID, { from: OPERATOR, threadId: topic.threadId, text: 'hi' })).toThrow(
      /closed/,
    );
    telegram.setMemberStatus(GROUP_ID, OPERATOR, 'administrator');
    telegram.userSends(GROUP_ID, { from: OPERATOR, threadId: topic.threadId, text: 'it was delivered yesterday' });
    await waitFor(() => market.sent.some((s) => s.text === 'it was delivered yesterday'), 'reply at the Market');
    await new Promise((r) => setTimeout(r, 1500)); // a poll or two
    expect(isClosed(topic.threadId)).toBe(true);

    // The buyer writes again and the Market revives the chat.
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'no, it was not' });
    market.setStatus(chatId, 'WAITING_FOR_PARTNER');
    await waitFor(() => mirroredBodies(telegram, topic.threadId).length === 2, 'second message');
    expect(isClosed(topic.threadId)).toBe(false);
    await waitFor(() => topicFor(telegram, '🔴 Order 61'), 'waiting title');

    // The topic was reopened before the buyer's message was posted into it, and nothing is there twice.
    const all = telegram.messages(GROUP_ID, { threadId: topic.threadId, includeService: true });
    const reopened = all.findLast((m) => m.service?.kind === 'forum_topic_reopened');
    const post = all.find((m) => (m.text ?? '').includes('no, it was not'));
    expect(reopened!.message_id).toBeLessThan(post!.message_id);
    expect(all.filter((m) => m.service?.kind === 'forum_topic_closed')).toHaveLength(1);
    expect(all.filter((m) => m.service?.kind === 'forum_topic_reopened')).toHaveLength(1);
    expect(mirroredBodies(telegram, topic.threadId)).toEqual(['where is my order?', 'no, it was not']);
    expect(topicTexts(telegram, topic.threadId)).toHaveLength(3);
    expect(telegram.topics(GROUP_ID)).toHaveLength(1);
  });

  it('leaves the topic of a finished chat open with CLOSE_FINISHED_TOPICS=off', async () => {
    const { market, telegram } = world;
    await world.start({ CLOSE_FINISHED_TOPICS: 'off' });
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 62 });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'hello' });
    const topic = await waitFor(() => topicFor(telegram, 'Order 62'), 'topic');
    market.setStatus(chatId, 'FINISHED');
    await waitFor(() => topicFor(telegram, '✅ Order 62'), 'finished title');
    await new Promise((r) => setTimeout(r, 1500));
    expect(isClosed(topic.threadId)).toBe(false);
    expect(telegram.calls.filter((c) => c.method === 'closeForumTopic')).toEqual([]);
  });
});
