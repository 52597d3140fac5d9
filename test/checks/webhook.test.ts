/** The webhook check against what the fake Telegram has registered, in each mode, with marketgram running or not. */
import { Api } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { webhookCheck } from '../../src/checks/webhook.ts';
import { freePort } from '../fakes/loopback.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-server.ts';

const TOKEN = '123456:TEST-token-abcdefghijklmnopqrstuvwxyz';
const GROUP = -1001234567890;

let telegram: FakeTelegram;
let api: Api;
let url: string;

beforeEach(async () => {
  telegram = await startFakeTelegram({ token: TOKEN, webhookRetry: { attempts: 1, delayMs: 10 } });
  telegram.addSupergroup({ id: GROUP });
  api = new Api(TOKEN, { apiRoot: telegram.url });
  url = `http://127.0.0.1:${await freePort()}/telegram/hook`;
});

afterEach(async () => {
  await telegram.close();
});

const webhook = (running: boolean, now?: () => number) =>
  webhookCheck(api, { mode: { kind: 'webhook', url, secret: 'a-secret-of-20-chars' }, running, now });

describe('the webhook check in webhook mode', () => {
  it('is content with no registration while marketgram is stopped, and not while it runs', async () => {
    expect(await webhook(false)).toMatchObject({
      ok: true,
      detail:
        'no webhook is registered (0 update(s) waiting); marketgram registers TELEGRAM_WEBHOOK_URL when it starts',
    });
    expect(await webhook(true)).toMatchObject({
      ok: false,
      detail: 'no webhook is registered, not TELEGRAM_WEBHOOK_URL, while marketgram runs',
    });
  });

  it('fails a registration of another URL while marketgram runs', async () => {
    await api.setWebhook('http://127.0.0.1:9/other');
    const r = await webhook(true);
    expect(r).toMatchObject({
      ok: false,
      detail: 'the webhook registered is http://127.0.0.1:9/other, not TELEGRAM_WEBHOOK_URL, while marketgram runs',
    });
    expect(r.fix).toMatch(/^another program uses this bot token/);
  });

  it('shows an old delivery error without failing, and a stopped marketgram’s errors as expected', async () => {
    await api.setWebhook(url);
    telegram.userSends(GROUP, { from: { id: 1001, first_name: 'Olga' }, text: 'hi' });
    for (let i = 0; i < 100 && !(await api.getWebhookInfo()).last_error_date; i++)
      await new Promise((r) => setTimeout(r, 10));
    const inAnHour = () => Date.now() + 3_600_000;

    const running = await webhook(true, inAnHour);
    const stopped = await webhook(false);

    expect(running.ok).toBe(true);
    expect(running.detail).toMatch(
      /^registered to TELEGRAM_WEBHOOK_URL \(0 update\(s\) waiting\); the last delivery failed at \S+: "Connection refused"$/,
    );
    expect(stopped.ok).toBe(true);
    expect(stopped.detail).toMatch(/"Connection refused" \(expected while marketgram is stopped\)$/);
  });
});
