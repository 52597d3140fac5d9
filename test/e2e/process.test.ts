import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_KEY, TOKEN, mirroredBodies, topicFor, topicTexts, waitFor, type World } from './harness.ts';
import { useWorld } from './use-world.ts';

let world: World;
useWorld((w) => (world = w));

describe('the process, end to end', () => {
  it('refuses bad configuration within seconds, naming the setting', async () => {
    const run = world.spawn({ TELEGRAM_BOT_TOKEN: '', MARKET_POLL_INTERVAL: 'often' });
    const started = Date.now();
    const { code } = await run.exited;
    expect(code).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.output()).toMatch(/TELEGRAM_BOT_TOKEN is required/);
    expect(run.output()).toMatch(/MARKET_POLL_INTERVAL must be a whole number/);
  });

  it('refuses a setting left as the placeholder within 2 seconds, printing each problem once, as text', async () => {
    const started = Date.now();
    const run = world.spawn({ MARKET_API_KEY: 'replace-me', TELEGRAM_CHAT_ID: '-1234567890', LOG_LEVEL: 'info' });
    const { code } = await run.exited;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(code).toBe(2);
    const out = run.output();
    expect(occurrences(out, 'MARKET_API_KEY is still the placeholder from .env.example: create an API key')).toBe(1);
    expect(occurrences(out, 'TELEGRAM_CHAT_ID -1234567890 is the id of a basic group, so Topics is still off')).toBe(1);
    expect(out).not.toContain('"level"');
    expect(world.telegram.calls).toEqual([]);
  });

  it('names a chat id Telegram does not know once, with the group id it may have been meant as', async () => {
    const run = world.spawn({ TELEGRAM_CHAT_ID: '1234567890', LOG_LEVEL: 'info' });
    const { code } = await run.exited;
    expect(code).toBe(1);
    const out = run.output();
    expect(occurrences(out, 'TELEGRAM_CHAT_ID 1234567890: Telegram says "Bad Request: chat not found"')).toBe(1);
    expect(out).toContain('if 1234567890 was meant to be the group, write -1001234567890.');
    expect(out).not.toContain('"level":60');
  });

  it('refuses a data directory it cannot create, naming it', async () => {
    const file = path.join(world.dataDir, 'a-file');
    await writeFile(file, '');
    const run = world.spawn({ DATA_DIR: path.join(file, 'data') });
    const { code } = await run.exited;
    expect(code).toBe(1);
    expect(run.output()).toMatch(/Cannot create the data directory .*a-file.data.* \(ENOTDIR\): check DATA_DIR/);
  });

  it('refuses a bad TEMPLATES_FILE with exit code 1, naming it, every problem and the fix', async () => {
    const file = path.join(world.dataDir, 'templates.yaml');
    await writeFile(file, 'good: Fine\ntwo words: x\nempty: ""\n');
    const run = world.spawn({ TEMPLATES_FILE: file });
    const { code } = await run.exited;
    expect(code).toBe(1);
    expect(run.output()).toContain(
      `marketgram: TEMPLATES_FILE ${file} cannot be used: "two words" is not a template name: use 1–32 letters, digits, _ or -; "empty" has an empty text. Fix the file (its format is in docs/behaviour.md, "Quick replies") or unset TEMPLATES_FILE.`,
    );
    await writeFile(file, 'hello: "unclosed\n');
    const again = world.spawn({ TEMPLATES_FILE: file });
    expect((await again.exited).code).toBe(1);
    expect(again.output()).toMatch(
      /TEMPLATES_FILE \S+ cannot be used: it is not valid YAML \(.*line \d+, column \d+\)/,
    );
    expect(world.telegram.calls).toEqual([]);
  });

  it('refuses a damaged shard with exit code 1, naming it and its backup, which is still the good copy', async () => {
    const { market, telegram } = world;
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 23 });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'a' });
    const app = await world.start();
    const topic = await waitFor(() => topicFor(telegram, 'Order 23'), 'topic');
    await waitFor(() => topicTexts(telegram, topic.threadId).length === 2, 'first message');
    await app.stop();
    await (await world.start()).stop(); // the second start keeps the good copies
    const shard = path.join(world.dataDir, 'chats', `${String(chatId % 256).padStart(3, '0')}.json`);
    const good = await readFile(`${shard}.bak`, 'utf8');
    expect(good).toContain(`"topicId":${topic.threadId}`);
    await writeFile(shard, good.slice(0, 20));
    const run = world.spawn();
    expect((await run.exited).code).toBe(1);
    expect(run.output()).toContain(`Restore the last good copy (${shard}.bak)`);
    expect(await readFile(`${shard}.bak`, 'utf8')).toBe(good);
  });

  it('runs one marketgram per data directory: a second one waits until the first has stopped', async () => {
    const first = world.spawn({ LOG_LEVEL: 'info' });
    await waitFor(() => first.output().includes('marketgram started'), 'the first marketgram to start');
    const second = world.spawn({ LOG_LEVEL: 'info' });
    await waitFor(
      () => second.output().includes('another marketgram is using the data directory; waiting for it to stop'),
      'the second marketgram to wait',
    );
    expect(second.output()).toContain(`pid ${first.child.pid}`);
    // Still waiting: it has not touched the Market nor Telegram on its own.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(second.output()).not.toContain('marketgram started');
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    await waitFor(() => second.output().includes('marketgram started'), 'the second marketgram to start');
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });

  it('refuses a Market key the Market rejects, without printing the key', async () => {
    const run = world.spawn({ MARKET_API_KEY: 'ACMA:wrong-key-value:0000' });
    const { code } = await run.exited;
    expect(code).toBe(1);
    expect(run.output()).toMatch(/MARKET_API_KEY/);
    expect(run.output()).not.toContain('wrong-key-value');
  });

  it('stops gracefully on SIGTERM with exit code 0 within 10 seconds, logging no secret', async () => {
    const { market, telegram } = world;
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 21 });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'hello' });
    const run = world.spawn({ LOG_LEVEL: 'trace' });
    const topic = await waitFor(() => topicFor(telegram, 'Order 21'), 'topic', 20_000);
    await waitFor(() => topicTexts(telegram, topic.threadId).length === 2, 'message');
    const stopAt = Date.now();
    run.child.kill('SIGTERM');
    const { code } = await run.exited;
    expect(code).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(10_000);
    expect(run.output()).toContain('marketgram stopped');
    // Even at the most verbose level, neither secret appears in the log.
    expect(run.output()).toContain('marketgram started');
    expect(run.output()).toContain('"msg":"mirrored"');
    expect(run.output()).not.toContain(TOKEN);
    expect(run.output()).not.toContain(API_KEY);
    expect(run.output()).not.toContain(TOKEN.split(':')[1]);
  });

  it('after a restart mirrors what arrived while it was down, without repeating anything', async () => {
    const { market, telegram } = world;
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 22 });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'a' });
    const first = world.spawn();
    const topic = await waitFor(() => topicFor(telegram, 'Order 22'), 'topic', 20_000);
    await waitFor(() => topicTexts(telegram, topic.threadId).length === 2, 'first message');
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'b' });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'c' });
    world.spawn();
    await waitFor(() => mirroredBodies(telegram, topic.threadId).length === 3, 'messages from downtime', 20_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(mirroredBodies(telegram, topic.threadId)).toEqual(['a', 'b', 'c']);
    expect(telegram.topics(-1001234567890)).toHaveLength(1);
  });

  it('after kill -9 in the middle of mirroring resumes without losing a message', async () => {
    const { market, telegram } = world;
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 23 });
    const expected: string[] = [];
    // Long enough that two share a post: 30 posts, so the crash lands mid-stream.
    for (let i = 0; i < 60; i++) {
      expected.push(`n${i} ${'x'.repeat(1500)}`);
      market.addMessage(chatId, { sender: 'CUSTOMER', text: expected[i] });
    }
    // Slow Telegram down so the crash lands mid-stream.
    telegram.failNext('sendMessage', { delayMs: 15 }, 60);
    const first = world.spawn();
    const topic = await waitFor(() => topicFor(telegram, 'Order 23'), 'topic', 20_000);
    await waitFor(() => topicTexts(telegram, topic.threadId).length >= 13, 'half the messages', 20_000);
    first.child.kill('SIGKILL');
    await first.exited;
    const before = topicTexts(telegram, topic.threadId).length;
    expect(before).toBeLessThan(31);
    world.spawn();
    await waitFor(() => mirroredBodies(telegram, topic.threadId).includes(expected[59]!), 'the rest', 30_000);
    const got = mirroredBodies(telegram, topic.threadId);
    // Nothing lost, order kept; a crash may at most repeat the one post in flight (two messages).
    const unique = got.filter((t, i) => got.indexOf(t) === i);
    expect(unique).toEqual(expected);
    expect(got.length - unique.length).toBeLessThanOrEqual(2);
    expect(telegram.topics(-1001234567890)).toHaveLength(1);
  });
});

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}
