import { Api } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
