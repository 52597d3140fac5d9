import { Api } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { html } from '../../src/bridge/html.ts';
import { TopicGoneError } from '../../src/bridge/ports.ts';
import { CallBudget } from '../../src/telegram/budget.ts';
import { TelegramGroup } from '../../src/telegram/port.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-server.ts';

const TOKEN = '123456:TEST-token';
const GROUP = -1001234567890;
const OPERATOR = { id: 7, first_name: 'Olga' };

let fake: FakeTelegram;

beforeEach(async () => {
  fake = await startFakeTelegram({ token: TOKEN });
  fake.addSupergroup({ id: GROUP, title: 'Shop' });
});

afterEach(async () => {
  await fake.close();
});

function group(downloadTimeoutMs: number): TelegramGroup {
  const api = new Api(TOKEN, { apiRoot: fake.url });
  return new TelegramGroup(api, GROUP, `${fake.url}/file/bot${TOKEN}`, { downloadTimeoutMs });
}

function operatorFile(): string {
  const data = Uint8Array.from({ length: 4000 }, (_, i) => i % 251);
  const msg = fake.userSends(GROUP, { from: OPERATOR, document: { data, fileName: 'invoice.pdf' } });
  return msg.document!.file_id;
}

describe('downloading an operator file', () => {
  it('gives up on a download that stalls, within its own timeout, and says so', async () => {
    const fileId = operatorFile();
    fake.stallFileDownloads();
    const started = Date.now();
    const err: unknown = await group(300)
      .downloadFile(fileId, 5 * 1024 * 1024)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe('the download took longer than 0.3 s');
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('downloads the whole file when the download does not stall', async () => {
    const fileId = operatorFile();
    const got = await group(300).downloadFile(fileId, 5 * 1024 * 1024);
    expect(got.data).toHaveLength(4000);
    expect(got.data[250]).toBe(250);
  });
});

describe('closing and reopening a topic', () => {
  const closed = (id: number) => fake.topics(GROUP).find((t) => t.threadId === id)?.closed;

  it('closes and reopens a topic, and takes a topic that already is so as done', async () => {
    const port = group(1000);
    const id = await port.createTopic('Order 1');
    await port.closeTopic(id);
    expect(closed(id)).toBe(true);
    await port.closeTopic(id); // TOPIC_NOT_MODIFIED
    expect(closed(id)).toBe(true);
    await port.reopenTopic(id);
    expect(closed(id)).toBe(false);
    await port.reopenTopic(id);
    expect(closed(id)).toBe(false);
    const service = fake.messages(GROUP, { threadId: id, includeService: true }).filter((m) => m.isService);
    expect(service).toHaveLength(3); // created, closed, reopened: no call that changed nothing left a trace
  });

  it('says a deleted topic is gone', async () => {
    const port = group(1000);
    const id = await port.createTopic('Order 1');
    fake.deleteTopic(GROUP, id);
    await expect(port.closeTopic(id)).rejects.toBeInstanceOf(TopicGoneError);
    await expect(port.reopenTopic(id)).rejects.toBeInstanceOf(TopicGoneError);
  });

  it('counts closes and reopens against the group budget, a close as cosmetic and a reopen in its lane', async () => {
    const budget = new CallBudget({ groupPerMinute: 6000, globalPerSecond: 1000 });
    const api = new Api(TOKEN, { apiRoot: fake.url });
    api.config.use(budget.transformer());
    const port = new TelegramGroup(api, GROUP, `${fake.url}/file/bot${TOKEN}`, { budget });
    const id = await port.createTopic('Order 1');
    const busy = await budget.within('operator', 0, () => budget.take());
    const closing = port.closeTopic(id);
    await new Promise((r) => setTimeout(r, 20));
    expect(budget.queued()).toMatchObject({ cosmetic: 1 });
    busy.end();
    await closing;
    const again = await budget.within('operator', 0, () => budget.take());
    const reopening = port.reopenTopic(id, 'waiting');
    await new Promise((r) => setTimeout(r, 20));
    expect(budget.queued()).toMatchObject({ waiting: 1, cosmetic: 0 });
    again.end();
    await reopening;
    expect(closed(id)).toBe(false);
  });
});

describe('editing a message', () => {
  it('takes its turn in the lane it is given, and an operator turn by default', async () => {
    const budget = new CallBudget({ groupPerMinute: 6000, globalPerSecond: 1000 });
    const api = new Api(TOKEN, { apiRoot: fake.url });
    api.config.use(budget.transformer());
    const port = new TelegramGroup(api, GROUP, `${fake.url}/file/bot${TOKEN}`, { budget });
    const id = await port.createTopic('Order 1');
    const card = await port.sendText(id, html`Card`);
    const busy = await budget.within('operator', 0, () => budget.take());
    const cosmetic = port.editText(card, html`Card, edited`, undefined, 'cosmetic');
    const plain = port.editText(card, html`Card, edited again`);
    await new Promise((r) => setTimeout(r, 20));
    expect(budget.queued()).toMatchObject({ operator: 1, cosmetic: 1 });
    busy.end();
    await Promise.all([cosmetic, plain]);
    // The operator's edit went first, the cosmetic one after it.
    expect(fake.message(GROUP, card)?.text).toBe('Card, edited');
  });
});
