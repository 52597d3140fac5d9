import { Api } from 'grammy';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImportProgress } from '../../src/bridge/imports.ts';
import { textsFor } from '../../src/bridge/texts.ts';
import { GeneralMessage } from '../../src/telegram/general-message.ts';
import { ProgressReport } from '../../src/telegram/progress.ts';
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

/** A report over scripted figures, on a clock the test moves; spacing 3 s a call (20 a minute). */
function setUp(language: 'ru' | 'en' = 'en') {
  const api = new Api(TOKEN, { apiRoot: fake.url });
  const imports: ImportProgress = { importing: 0, importingWaiting: 0, imported: 0, importedWaiting: 0 };
  const state = { now: 0, queued: 0, imports };
  const report = new ProgressReport({
    message: () => new GeneralMessage({ api, chatId: GROUP, lane: 'operator' }),
    imports: () => state.imports,
    queued: () => state.queued,
    spacingMs: 3_000,
    texts: textsFor(language).progress,
    log: pino({ level: 'silent' }),
    now: () => state.now,
  });
  const general = () => fake.messages(GROUP, { fromBot: true }).filter((m) => m.threadId === undefined);
  return { api, state, report, general };
}

describe('ProgressReport: a long first start shows its progress in General', () => {
  it('stays silent while the work left takes a minute or less', async () => {
    const { state, report, general } = setUp();
    state.queued = 20; // 60 s at 3 s a call
    await report.tick();
    expect(general()).toHaveLength(0);
  });

  it('posts one message, edits it at most once a minute, and ends it with what was done', async () => {
    const { state, report, general } = setUp();
    state.imports = { importing: 150, importingWaiting: 50, imported: 0, importedWaiting: 0 };
    state.queued = 1;
    await report.tick();
    expect(general()).toHaveLength(1);
    expect(general()[0]?.text).toBe(
      "⏳ Importing chats: 0 of 150\nWaiting for the seller: 0 of 50 imported\n1 message queued behind Telegram's limit, about 15 min left.",
    );
    state.now = 30_000;
    state.imports = { importing: 140, importingWaiting: 40, imported: 10, importedWaiting: 10 };
    await report.tick();
    expect(general()[0]?.text).toContain('0 of 150'); // not edited within the minute
    state.now = 61_000;
    await report.tick();
    expect(general()).toHaveLength(1);
    expect(general()[0]?.text).toContain('Importing chats: 10 of 150\nWaiting for the seller: 10 of 50 imported');
    expect(general()[0]?.text).toContain('about 14 min left');
    state.now = 23 * 60_000;
    state.imports = { importing: 0, importingWaiting: 0, imported: 150, importedWaiting: 50 };
    state.queued = 0;
    await report.tick();
    expect(general()).toHaveLength(1);
    expect(general()[0]?.text).toBe('✅ Import done: 150 chats in 23 min.');
    // Over: nothing more is posted while nothing is left.
    state.now = 30 * 60_000;
    await report.tick();
    expect(general()).toHaveLength(1);
  });

  it('says the same for a backlog without an import, in Russian by default', async () => {
    const { state, report, general } = setUp('ru');
    state.queued = 25;
    await report.tick();
    expect(general()[0]?.text).toBe('⏳ В очереди из-за лимита Telegram: 25 сообщений; осталось около 1 мин.');
    state.now = 70_000;
    state.queued = 0;
    await report.tick();
    expect(general()[0]?.text).toBe('✅ Очередь Telegram разобрана за 1 мин.');
  });

  it('posts a new message when someone deleted it', async () => {
    const { api, state, report, general } = setUp();
    state.queued = 40;
    await report.tick();
    const first = general()[0]!;
    await api.deleteMessage(GROUP, first.message_id);
    state.now = 61_000;
    state.queued = 30;
    await report.tick();
    expect(general()).toHaveLength(1);
    expect(general()[0]?.message_id).not.toBe(first.message_id);
    expect(general()[0]?.text).toContain('30 messages queued');
  });
});
