import { HttpError, InputFile } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBot } from '../../src/telegram/bot.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-server.ts';

const TOKEN = '123456:TEST-token';
const GROUP = -1001234567890;

let fake: FakeTelegram;

beforeEach(async () => {
  fake = await startFakeTelegram({ token: TOKEN });
  fake.addSupergroup({ id: GROUP, title: 'Shop' });
});

afterEach(async () => {
  await fake.close();
});

function bot(onRepeat?: (method: string) => void) {
  return createBot({
    token: TOKEN,
    apiRoot: fake.url,
    pacing: false,
    groupPerMinute: 20,
    globalPerSecond: 30,
    botInfo: fake.botInfo,
    onRepeat,
    networkRetry: { baseDelayMs: 10, maxDelayMs: 20 },
  });
}

const callsOf = (method: string) => fake.calls.filter((c) => c.method === method).length;

describe('the Telegram transport after a lost answer', () => {
  it('does not repeat a post whose answer was lost, and reports the caller repeating it', async () => {
    const repeats: string[] = [];
    const { api } = bot((method) => repeats.push(method));
    fake.failNext('sendMessage', { applyThenDrop: true });

    const lost: unknown = await api.sendMessage(GROUP, 'once').catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(HttpError);
    expect(callsOf('sendMessage')).toBe(1);
    expect(repeats).toEqual([]);

    await api.sendMessage(GROUP, 'once');
    await api.sendMessage(GROUP, 'another');
    expect(repeats).toEqual(['sendMessage']);
    expect(fake.messages(GROUP).map((m) => m.text)).toEqual(['once', 'once', 'another']);
  });

  it('recognises the repeat of an upload whose answer was lost', async () => {
    const repeats: string[] = [];
    const { api } = bot((method) => repeats.push(method));
    const upload = () => api.sendDocument(GROUP, new InputFile(new Uint8Array([1, 2]), 'a.pdf'), { caption: 'c' });
    fake.failNext('sendDocument', { applyThenDrop: true });

    const lost: unknown = await upload().catch((e: unknown) => e);
    await upload();

    expect(lost).toBeInstanceOf(HttpError);
    expect(repeats).toEqual(['sendDocument']);
    expect(callsOf('sendDocument')).toBe(2);
  });

  it('tries an idempotent call again at most three times when no answer comes, then gives up', async () => {
    const { api } = bot();
    fake.failNext('getChat', { dropConnection: true }, 10);

    const error: unknown = await api.getChat(GROUP).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HttpError);
    expect(callsOf('getChat')).toBe(4);
  });

  it('still gets an idempotent call through when a later attempt is answered', async () => {
    const { api } = bot();
    fake.failNext('getChat', { dropConnection: true }, 2);

    const chat = await api.getChat(GROUP);

    expect(chat.id).toBe(GROUP);
    expect(callsOf('getChat')).toBe(3);
  });
});
