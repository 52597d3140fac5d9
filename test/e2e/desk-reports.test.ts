import type { MessageEntity } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import type { FakeMessage, FakeUserInput } from '../fakes/telegram-server.ts';
import { GROUP_ID, OPERATOR, topicFor, topicTexts, waitFor, type World } from './harness.ts';
import { useWorld } from './use-world.ts';

let world: World;
useWorld((w) => (world = w));

const COLLEAGUE = { id: 1002, first_name: 'Ivan' };

/** A person sends a bot command (with its bot_command entity, as Telegram marks it). */
function command(text: string, o: { threadId?: number; from?: FakeUserInput } = {}): FakeMessage {
  return world.telegram.userSends(GROUP_ID, {
    from: o.from ?? OPERATOR,
    threadId: o.threadId,
    text,
    entities: [{ type: 'bot_command', offset: 0, length: text.length }],
  });
}

/** The bot's answer to a message (its reply to it). */
function answerTo(message: FakeMessage): Promise<FakeMessage> {
  return waitFor(
    () => world.telegram.messages(GROUP_ID, { fromBot: true }).find((m) => m.replyToMessageId === message.message_id),
    `the answer to "${message.text ?? ''}"`,
  );
}

/** The links of a message (`text_link` entities): the text they are on and where they lead. */
function links(m: FakeMessage): Array<{ text: string; url: string }> {
  return (m.entities ?? [])
    .filter((e): e is MessageEntity.TextLinkMessageEntity => e.type === 'text_link')
    .map((e) => ({ text: [...(m.text ?? '')].slice(e.offset, e.offset + e.length).join(''), url: e.url }));
}

/** A chat whose buyer waits for an answer, its topic ready; returns the topic. */
async function waitingChat(orderId: number, buyer: string) {
  const { market, telegram } = world;
  const chatId = market.addChat({ contextType: 'ORDER', orderId, customer: { name: buyer } });
  market.addMessage(chatId, { sender: 'CUSTOMER', text: 'Where is my parcel?' });
  const topic = await waitFor(() => topicFor(telegram, buyer), `the topic of ${buyer}`);
  await waitFor(() => topicTexts(telegram, topic.threadId).length === 2, `the message of ${buyer}`);
  return topic;
}

const digests = () =>
  world.telegram
    .messages(GROUP_ID, { fromBot: true })
    .filter((m) => m.threadId === undefined && m.text?.startsWith('📊'));

describe('/mine, /status and the metrics, end to end', () => {
  it("/mine lists the waiting chats an operator took, each linked to its topic; a colleague's list is empty", async () => {
    const { telegram } = world;
    await world.start();
    const topic = await waitingChat(801, 'Anna');
    const card = telegram.messages(GROUP_ID, { threadId: topic.threadId, fromBot: true }).find((m) => !m.isService)!;
    const id = telegram.userPressesButton(GROUP_ID, card.message_id, `o:${topic.threadId}`, OPERATOR);
    await waitFor(() => telegram.callbackAnswer(id)?.answered, 'the answer on Take');

    const answer = await answerTo(command('/mine'));
    expect(answer.threadId).toBeUndefined();
    expect(answer.text?.split('\n')[0]).toBe('Your chats waiting for an answer: 1');
    expect(links(answer)).toEqual([
      { text: expect.stringContaining('Anna') as string, url: `https://t.me/c/1234567890/${topic.threadId}` },
    ]);

    const inTopic = command('/mine', { threadId: topic.threadId, from: COLLEAGUE });
    const other = await answerTo(inTopic);
    expect(other.threadId).toBe(topic.threadId);
    expect(other.text).toBe('You own no waiting chats.');
  });

  it('/status and /metrics begin with who waits and who owns it', async () => {
    const { telegram } = world;
    const app = await world.start();
    const topic = await waitingChat(803, 'Vera');
    const card = telegram.messages(GROUP_ID, { threadId: topic.threadId, fromBot: true }).find((m) => !m.isService)!;
    const id = telegram.userPressesButton(GROUP_ID, card.message_id, `o:${topic.threadId}`, OPERATOR);
    await waitFor(() => telegram.callbackAnswer(id)?.answered, 'the answer on Take');

    const ask = command('/status');
    const status = await waitFor(
      () => telegram.messages(GROUP_ID, { fromBot: true }).find((m) => m.message_id > ask.message_id),
      'the /status answer',
    );
    expect(status.text?.split('\n').slice(0, 3)).toEqual([
      '⏳ Waiting for us: 1',
      expect.stringMatching(/^Longest wait: \d+ (s|min) — .*Vera/) as string,
      'Owners: Olga 1',
    ]);
    expect(links(status)).toEqual([
      { text: expect.stringContaining('Vera') as string, url: `https://t.me/c/1234567890/${topic.threadId}` },
    ]);
    const metrics = await fetch(`http://127.0.0.1:${app.httpPort}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^marketgram_waiting_chats 1$/m);
    expect(metrics).toMatch(/^marketgram_response_today_answered 0$/m);
  });
});

describe('the daily digest, end to end', () => {
  it('comes in General at DIGEST_AT with what waits, linked, and only once across a restart', async () => {
    // DIGEST_AT a minute or two ahead of the real time; the digest's clock is the test's, moved by hand.
    const due = Math.floor((Date.now() + 120_000) / 60_000) * 60_000;
    let clock = Date.now();
    const env = { DIGEST_AT: new Date(due).toISOString().slice(11, 16), BOT_TIMEZONE: 'UTC' };
    const options = { overrides: { digest: { now: () => clock, checkEveryMs: 50 } } };
    const app = await world.start(env, options);
    const topic = await waitingChat(802, 'Boris');
    expect(await app.digest?.tick()).toMatch(/^(not-yet|skipped)$/);
    expect(digests()).toEqual([]);

    clock = due + 1_000;
    const [digest] = await waitFor(() => (digests().length > 0 ? digests() : undefined), 'the digest');
    expect(digest?.text?.split('\n')[0]).toMatch(/^📊 Yesterday, /);
    expect(digest?.text).toContain('Waiting for an answer now: 1');
    expect(links(digest!)).toEqual([
      { text: expect.stringContaining('Boris') as string, url: `https://t.me/c/1234567890/${topic.threadId}` },
    ]);

    await app.stop();
    const again = await world.start(env, options);
    // Let the look at start finish, then look once more: today's digest is out already.
    await again.digest?.stop();
    expect(await again.digest?.tick()).toBe('done');
    expect(digests()).toHaveLength(1);
  });
});
