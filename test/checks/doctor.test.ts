import { readdir, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Api } from 'grammy';
import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/checks/doctor.ts';
import { API_KEY, BUSINESS_ID, GROUP_ID, TOKEN, freePort, topicFor, waitFor, type World } from '../e2e/harness.ts';
import { useWorld } from '../e2e/use-world.ts';
import { startFakeMarket } from '../fakes/market-server.ts';

let world: World;
useWorld((w) => (world = w));

const OPERATOR = { id: 1001, first_name: 'Olga' };
const ENTRY = fileURLToPath(new URL('../../src/doctor.ts', import.meta.url));

/** Runs the doctor in this process against the world's fakes, with `extra` over the world's settings. */
async function doctor(extra: Record<string, string> = {}) {
  const lines: string[] = [];
  const code = await runDoctor({ env: { ...world.env, ...extra }, write: (l) => lines.push(l), timeoutMs: 2_000 });
  const line = (name: string) => {
    const found = lines.find((l) => l.slice(2).startsWith(`${name} — `));
    if (!found) throw new Error(`no line for ${name} in:\n${lines.join('\n')}`);
    return found;
  };
  return { code, lines, line };
}

/** Every file under `dir` with its size and modification time (directories change with the writable probe). */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true });
  const files: Record<string, string> = {};
  for (const name of entries.sort()) {
    const info = await stat(path.join(dir, name));
    if (info.isFile()) files[name] = `${info.size}@${info.mtimeMs}`;
  }
  return files;
}

/** A lock as a live marketgram on this host holds it: the test runner's parent process stands in for it. */
async function lockedByLiveProcess(): Promise<void> {
  const holder = { pid: process.ppid, host: hostname(), startedAt: new Date().toISOString(), token: 'x' };
  await writeFile(path.join(world.dataDir, 'marketgram.lock'), JSON.stringify(holder));
}

describe('npm run doctor', () => {
  it('checks each cabinet of CABINETS_FILE on lines named after it, and fails on the one whose key is refused', async () => {
    const file = path.join(world.dataDir, 'cabinets.yaml');
    await writeFile(
      file,
      [
        `- { name: good, apiKey: "${API_KEY}", businessId: ${BUSINESS_ID}, chatId: ${GROUP_ID} }`,
        `- { name: bad, apiKey: "ACMA:revoked-key-000000000:000000", businessId: 9999, chatId: ${GROUP_ID} }`,
      ].join('\n'),
    );
    const { code, lines, line } = await doctor({ CABINETS_FILE: file });
    expect(code).toBe(1);
    expect(line('good: Market API key')).toMatch(/^✅/);
    expect(line('good: Telegram chat')).toMatch(/^✅/);
    expect(line('bad: Market API key')).toMatch(/^❌/);
    expect(line('bad: store readable')).toMatch(/^✅/);
    expect(lines.join('\n')).not.toContain('ACMA:revoked-key');
  });

  it('passes a good set-up with exit code 0, one line per check, no secret printed', async () => {
    const port = await freePort();
    const { code, lines } = await doctor({
      HTTP_PORT: String(port),
      MARKET_NOTIFICATION_URL: `http://127.0.0.1:${port}/market/notification`,
    });

    expect(code).toBe(0);
    expect(lines.map((l) => l.slice(0, 2) + l.slice(2).split(' — ')[0])).toEqual([
      '✅ configuration',
      '✅ DATA_DIR writable',
      '✅ DATA_DIR not in use',
      '✅ store readable',
      '– TEMPLATES_FILE',
      '✅ Telegram bot token',
      '✅ Telegram chat',
      '✅ bot rights: manage topics',
      '✅ bot rights: pin messages',
      '✅ privacy mode',
      '✅ Telegram webhook',
      '✅ Market API key',
      '✅ Market key scope',
      '✅ Market business id',
      '✅ notification URL',
      'All 15 checks passed.',
    ]);
    expect(lines.join('\n')).toContain('privacy mode — on, but the bot is an administrator, so it sees every message');
    expect(lines.join('\n')).toMatch(
      /notification URL — the doctor, in place of marketgram, answered the PING in \d+ ms/,
    );
    expect(lines.join('\n')).not.toContain(TOKEN);
    expect(lines.join('\n')).not.toContain(API_KEY);
  });

  it('reports every invalid setting with exit code 2, naming each', async () => {
    const { code, lines } = await doctor({ TELEGRAM_BOT_TOKEN: '', MARKET_POLL_INTERVAL: 'often' });
    expect(code).toBe(2);
    expect(lines[0]).toMatch(/^❌ configuration — TELEGRAM_BOT_TOKEN is required: /);
    expect(lines[1]).toMatch(/^❌ configuration — MARKET_POLL_INTERVAL must be a whole number/);
  });

  describe('names each broken condition, with the fix, and exits 1', () => {
    it('a token Telegram rejects', async () => {
      const { code, line } = await doctor({ TELEGRAM_BOT_TOKEN: '999:another-token-abcdefghijklmnopqrstuv' });
      expect(code).toBe(1);
      expect(line('Telegram bot token')).toBe(
        '❌ Telegram bot token — TELEGRAM_BOT_TOKEN was rejected by Telegram. Fix: copy the token again from @BotFather.',
      );
      expect(line('Telegram chat')).toBe('– Telegram chat — not checked: needs a working bot token');
      expect(line('Telegram webhook')).toMatch(/^– /);
    });

    it('Telegram not answering within the deadline', async () => {
      world.telegram.failNext('getMe', { delayMs: 5_000 });
      const started = Date.now();
      const { code, line } = await doctor();
      expect(code).toBe(1);
      expect(line('Telegram bot token')).toMatch(
        /^❌ Telegram bot token — Telegram \(.*\) cannot be reached: .*Fix: check the network or TELEGRAM_API_ROOT/,
      );
      expect(Date.now() - started).toBeLessThan(4_500);
    });

    it('a chat the bot is not in', async () => {
      const { code, line } = await doctor({ TELEGRAM_CHAT_ID: '-1009999999999' });
      expect(code).toBe(1);
      expect(line('Telegram chat')).toBe(
        '❌ Telegram chat — TELEGRAM_CHAT_ID -1009999999999: Telegram says "Bad Request: chat not found". Fix: add the bot to the group as an administrator and check the id.',
      );
      expect(line('bot rights: manage topics')).toBe('– bot rights: manage topics — not checked: needs the chat');
    });

    it('a group without topics', async () => {
      world.telegram.addSupergroup({ id: GROUP_ID, isForum: false });
      const { code, line } = await doctor();
      expect(code).toBe(1);
      expect(line('Telegram chat')).toBe(
        `❌ Telegram chat — TELEGRAM_CHAT_ID ${GROUP_ID} is not a forum supergroup. Fix: turn on Topics in the group settings (Edit → Topics).`,
      );
    });

    it('a bot without the "Manage topics" right', async () => {
      world.telegram.addSupergroup({ id: GROUP_ID, canManageTopics: false });
      const { code, line } = await doctor();
      expect(code).toBe(1);
      expect(line('bot rights: manage topics')).toBe(
        `❌ bot rights: manage topics — The bot is not an administrator with the "Manage topics" right in ${GROUP_ID}. Fix: promote @marketgram_test_bot to admin and enable "Manage topics".`,
      );
      expect(line('privacy mode')).toMatch(/^✅ /);
    });

    it('a bot that may not pin', async () => {
      world.telegram.addSupergroup({ id: GROUP_ID, canPinMessages: false });
      const { code, line, lines } = await doctor();
      expect(code).toBe(1);
      expect(line('bot rights: pin messages')).toBe(
        `❌ bot rights: pin messages — @marketgram_test_bot may not pin messages in ${GROUP_ID}, so the waiting board in General stays unpinned. Fix: enable "Pin messages" in the bot's administrator rights.`,
      );
      expect(lines.filter((l) => l.startsWith('❌'))).toHaveLength(1);
    });

    it('privacy mode on for a bot that is not an administrator; off, it passes', async () => {
      world.telegram.addSupergroup({ id: GROUP_ID, botIsAdmin: false });
      const on = await doctor();
      world.telegram.setBotSettings({ canReadAllGroupMessages: true });
      const off = await doctor();
      expect(on.line('privacy mode')).toMatch(
        /^❌ privacy mode — privacy mode is on and @marketgram_test_bot is not an administrator, so it sees only commands and replies to it\. Fix: make the bot an administrator .* or turn privacy off in @BotFather \(\/setprivacy → Disable\)/,
      );
      expect(off.line('privacy mode')).toMatch(/^✅ privacy mode — off: /);
    });

    it('a webhook of another program while marketgram polls', async () => {
      await new Api(TOKEN, { apiRoot: world.telegram.url }).setWebhook('http://127.0.0.1:9/elsewhere');
      const stopped = await doctor();
      await lockedByLiveProcess();
      const running = await doctor();
      expect(stopped.line('Telegram webhook')).toMatch(
        /^✅ Telegram webhook — a webhook to http:\/\/127\.0\.0\.1:9\/elsewhere is still registered .*marketgram removes it at start/,
      );
      expect(running.line('Telegram webhook')).toMatch(
        /^❌ Telegram webhook — a webhook to http:\/\/127\.0\.0\.1:9\/elsewhere is registered while marketgram fetches updates by long polling.*Fix: another program uses this bot token/,
      );
    });

    it('webhook deliveries failing while marketgram runs, with the last error', async () => {
      const url = `http://127.0.0.1:${await freePort()}/telegram/hook`;
      const settings = { TELEGRAM_WEBHOOK_URL: url, TELEGRAM_WEBHOOK_SECRET: 'a-secret-of-20-chars' };
      await new Api(TOKEN, { apiRoot: world.telegram.url }).setWebhook(url);
      world.telegram.userSends(GROUP_ID, { from: OPERATOR, text: 'hello' });
      const api = new Api(TOKEN, { apiRoot: world.telegram.url });
      await waitFor(async () => (await api.getWebhookInfo()).last_error_message, 'a delivery error');
      await lockedByLiveProcess();
      const { code, line, lines } = await doctor(settings);
      expect(code).toBe(1);
      expect(line('Telegram webhook')).toMatch(
        /^❌ Telegram webhook — Telegram cannot deliver to TELEGRAM_WEBHOOK_URL: the last delivery failed at \S+: "Connection refused" \(\d update\(s\) waiting\)\. Fix: have the reverse proxy forward/,
      );
      expect(lines.join('\n')).not.toContain('a-secret-of-20-chars');
    });

    it('a Market key the Market refuses', async () => {
      const { code, line } = await doctor({ MARKET_API_KEY: 'ACMA:wrong-key-value:0000' });
      expect(code).toBe(1);
      expect(line('Market API key')).toMatch(
        /^❌ Market API key — MARKET_API_KEY was refused with HTTP 401.*Fix: copy the key again from the seller cabinet/,
      );
      expect(line('Market key scope')).toBe('– Market key scope — not checked: needs a working key');
    });

    it('a Market that cannot be reached', async () => {
      const { code, line } = await doctor({ MARKET_API_URL: `http://127.0.0.1:${await freePort()}` });
      expect(code).toBe(1);
      expect(line('Market API key')).toMatch(
        /^❌ Market API key — the Market \(http:\/\/127\.0\.0\.1:\d+\) could not be asked: .*Fix: check the network or MARKET_API_URL/,
      );
    });

    it('a Market key without the "communication" scope', async () => {
      const market = await startFakeMarket({ apiKey: API_KEY, businessId: BUSINESS_ID, scopes: ['PRICING'] });
      try {
        const { code, line } = await doctor({ MARKET_API_URL: market.url });
        expect(code).toBe(1);
        expect(line('Market key scope')).toMatch(
          /^❌ Market key scope — MARKET_API_KEY ".*" lacks the "communication" scope \(Общение с покупателями\)\. Fix: edit the key/,
        );
        expect(line('Market business id')).toMatch(/^– /);
      } finally {
        await market.close();
      }
    });

    it('a business id the key does not reach', async () => {
      const { code, line } = await doctor({ MARKET_BUSINESS_ID: '999' });
      expect(code).toBe(1);
      expect(line('Market business id')).toMatch(
        /^❌ Market business id — MARKET_BUSINESS_ID 999 is not reachable with this key \(HTTP 403\).*Fix: set it to the id of the cabinet the key belongs to/,
      );
    });

    it('a notification URL whose path marketgram does not serve', async () => {
      const port = await freePort();
      const { code, line } = await doctor({
        HTTP_PORT: String(port),
        MARKET_NOTIFICATION_URL: `http://127.0.0.1:${port}/wrong/path`,
      });
      expect(code).toBe(1);
      expect(line('notification URL')).toBe(
        '❌ notification URL — HTTP 404: the URL is not served. Fix: its path must be MARKET_NOTIFICATION_PATH (or it with /notification appended), and the reverse proxy must pass the path on unchanged.',
      );
    });

    it('a notification URL nobody answers on while marketgram is running elsewhere', async () => {
      await lockedByLiveProcess();
      const url = `http://127.0.0.1:${await freePort()}/market/notification`;
      const { line } = await doctor({ MARKET_NOTIFICATION_URL: url });
      expect(line('notification URL')).toMatch(/^❌ notification URL — cannot connect \(ECONNREFUSED\)\. Fix: /);
    });

    it('the allow-list refusing the doctor is a pass: the request reached marketgram', async () => {
      const port = await freePort();
      const { line } = await doctor({
        HTTP_PORT: String(port),
        MARKET_NOTIFICATION_URL: `http://127.0.0.1:${port}/market/notification`,
        MARKET_NOTIFICATION_IPS: '5.45.207.0/25',
      });
      expect(line('notification URL')).toMatch(
        /^✅ notification URL — reached the doctor, in place of marketgram, in \d+ ms; its allow-list \(MARKET_NOTIFICATION_IPS\) refused the doctor's address/,
      );
    });

    it('a DATA_DIR that cannot be created', async () => {
      const file = path.join(world.dataDir, 'a-file');
      await writeFile(file, '');
      const { code, line } = await doctor({ DATA_DIR: path.join(file, 'data') });
      expect(code).toBe(1);
      expect(line('DATA_DIR writable')).toBe(
        `❌ DATA_DIR writable — DATA_DIR ${path.join(file, 'data')} cannot be created: ${file} is a file. Fix: set DATA_DIR to a directory the user running marketgram may write, or fix its permissions.`,
      );
      expect(line('store readable')).toBe('– store readable — not checked: needs a usable DATA_DIR');
    });

    it('a DATA_DIR a running marketgram holds', async () => {
      await lockedByLiveProcess();
      const { code, line } = await doctor();
      expect(code).toBe(1);
      expect(line('DATA_DIR not in use')).toMatch(
        new RegExp(
          `^❌ DATA_DIR not in use — a marketgram is running on it \\(pid ${process.ppid} on .*\\).*Fix: stop it before starting another`,
        ),
      );
    });

    it('a lock left by a marketgram that is gone is no problem', async () => {
      const holder = { pid: 2 ** 22 + 7, host: hostname(), startedAt: '2025-01-01T00:00:00Z', token: 'x' };
      await writeFile(path.join(world.dataDir, 'marketgram.lock'), JSON.stringify(holder));
      const { line } = await doctor();
      expect(line('DATA_DIR not in use')).toMatch(
        /^✅ DATA_DIR not in use — no marketgram is running on it; .* is left from one that stopped/,
      );
    });

    it('a store file that is not a marketgram store', async () => {
      await writeFile(path.join(world.dataDir, 'marketgram.json'), '{"hello":1}');
      const { code, line } = await doctor();
      expect(code).toBe(1);
      expect(line('store readable')).toMatch(
        /^❌ store readable — The store .*marketgram\.json does not look like a marketgram store/,
      );
    });

    it('a store that a start has written is read without the lock and without writing', async () => {
      const chatId = world.market.addChat({ contextType: 'ORDER', orderId: 23 });
      world.market.addMessage(chatId, { sender: 'CUSTOMER', text: 'hello' });
      const app = await world.start();
      await waitFor(() => topicFor(world.telegram, 'Order 23'), 'the topic');
      await app.stop();
      const before = await snapshot(world.dataDir);
      const { line } = await doctor();
      expect(await snapshot(world.dataDir)).toEqual(before);
      expect(line('store readable')).toMatch(
        /^✅ store readable — 1 chat\(s\) and 0 reply\(ies\) on their way, the current schema$/,
      );
    });

    it('a TEMPLATES_FILE that cannot be used', async () => {
      const file = path.join(world.dataDir, 'templates.yaml');
      await writeFile(file, 'two words: x\n');
      const { code, line } = await doctor({ TEMPLATES_FILE: file });
      expect(code).toBe(1);
      expect(line('TEMPLATES_FILE')).toMatch(
        /^❌ TEMPLATES_FILE — TEMPLATES_FILE .* cannot be used: "two words" is not a template name: .*\. Fix: fix the file/,
      );
    });
  });
});

describe('npm run doctor as a process', () => {
  it('exits 0 on a good set-up, printing one line per check', async () => {
    const run = world.spawn({}, { entry: ENTRY });
    const { code } = await run.exited;
    expect(code).toBe(0);
    expect(run.output()).toMatch(/^✅ Telegram chat — "Shop", a forum supergroup$/m);
    expect(run.output().trim().split('\n')).toHaveLength(16);
    expect(run.output()).not.toContain(TOKEN);
  });

  it('exits 1 and names the broken condition', async () => {
    world.telegram.addSupergroup({ id: GROUP_ID, canPinMessages: false });
    const run = world.spawn({}, { entry: ENTRY });
    const { code } = await run.exited;
    expect(code).toBe(1);
    expect(run.output()).toMatch(/^❌ bot rights: pin messages — .* Fix: enable "Pin messages"/m);
    expect(run.output()).toMatch(/^1 of 15 checks failed: fix it, then run the doctor again\.$/m);
  });

  it('without TELEGRAM_CHAT_ID: checks the chat the setup bound, and names the missing binding when there is none', async () => {
    const unbound = await doctor({ TELEGRAM_CHAT_ID: '' });
    expect(unbound.code).toBe(1);
    expect(unbound.line('Telegram chat binding')).toMatch(
      /^❌ Telegram chat binding — TELEGRAM_CHAT_ID is not set and no chat is bound yet.*Fix: start marketgram: it runs the setup mode/,
    );
    expect(unbound.lines.some((l) => l.includes('Telegram bot token'))).toBe(false);

    await writeFile(
      path.join(world.dataDir, 'chat.json'),
      JSON.stringify({ chatId: GROUP_ID, kind: 'group', boundAt: new Date().toISOString() }),
    );
    const bound = await doctor({ TELEGRAM_CHAT_ID: '' });
    expect(bound.line('Telegram chat binding')).toBe(
      `✅ Telegram chat binding — TELEGRAM_CHAT_ID is not set: the chat ${GROUP_ID} bound by the setup`,
    );
    expect(bound.line('Telegram chat')).toMatch(/^✅ Telegram chat — "Shop", a forum supergroup/);
  });

  it('without MARKET_BUSINESS_ID: finds the cabinet from the key and checks it', async () => {
    const { line } = await doctor({ MARKET_BUSINESS_ID: '' });
    expect(line('Market cabinet from the key')).toMatch(/^✅ Market cabinet from the key — .*4242/);
    expect(line('Market business id')).toMatch(/^✅ Market business id — the key reaches cabinet 4242/);
  });
});
