import { describe, expect, it } from 'vitest';
import { FullDisk } from '../fakes/full-disk.ts';
import { GROUP_ID, OPERATOR, mirroredBodies, topicFor, topicTexts, waitFor, type World } from './harness.ts';
import { useWorld } from './use-world.ts';

let world: World;
useWorld((w) => (world = w));

describe('a full disk, end to end', () => {
  it('refuses a reply it cannot store, shows it in readiness and metrics, and works again once the disk has room', async () => {
    const { market, telegram } = world;
    const disk = new FullDisk();
    const app = await world.start({}, { overrides: { storeBeforeWrite: disk.beforeWrite, storeWriteRetryMs: 200 } });
    const base = `http://127.0.0.1:${app.httpPort}`;
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 21 });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'hello?' });
    const topic = await waitFor(() => topicFor(telegram, 'Order 21'), 'topic');
    await waitFor(() => topicTexts(telegram, topic.threadId).length === 2, 'first message');

    disk.full = true;
    const first = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId: topic.threadId, text: 'answer' });
    const refusal = await waitFor(
      () =>
        telegram
          .messages(GROUP_ID, { threadId: topic.threadId, fromBot: true })
          .find((m) => m.replyToMessageId === first.message_id),
      'the refusal under the operator message',
    );
    expect(refusal.text).toMatch(/NOT sent.*ENOSPC.*Send it again/);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      status: 'not ready',
      checks: { store: { ok: false, detail: `cannot write DATA_DIR (${world.dataDir}): ENOSPC` } },
    });
    const metrics = await fetch(`${base}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^marketgram_store_writable 0$/m);
    expect(Number(/^marketgram_store_write_failures_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    // The buyer writes meanwhile: mirrored now or once the disk has room.
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'still there?' });
    await new Promise((r) => setTimeout(r, 1000));

    disk.full = false;
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, 'ready again');
    expect(await fetch(`${base}/metrics`).then((r) => r.text())).toMatch(/^marketgram_store_writable 1$/m);
    await waitFor(() => mirroredBodies(telegram, topic.threadId).includes('still there?'), 'mirroring resumed');
    const again = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId: topic.threadId, text: 'answer' });
    await waitFor(() => (telegram.message(GROUP_ID, again.message_id)?.reactions ?? []).length > 0, 'delivered');
    await new Promise((r) => setTimeout(r, 1000));
    expect(market.sent.map((s) => s.text)).toEqual(['answer']);
    expect(telegram.message(GROUP_ID, first.message_id)?.reactions ?? []).toEqual([]);
  });
});

describe('edits and buttons on a full disk', () => {
  it('leaves a waiting reply as it was when an edit or a Cancel cannot be stored, and says so', async () => {
    const { market, telegram } = world;
    const disk = new FullDisk();
    const app = await world.start(
      { REPLY_UNDO_SECONDS: '3' },
      { overrides: { storeBeforeWrite: disk.beforeWrite, storeWriteRetryMs: 200 } },
    );
    expect(app.httpPort).toBeGreaterThan(0);
    const chatId = market.addChat({ contextType: 'ORDER', orderId: 22 });
    market.addMessage(chatId, { sender: 'CUSTOMER', text: 'hello?' });
    const topic = await waitFor(() => topicFor(telegram, 'Order 22'), 'topic');
    await waitFor(() => topicTexts(telegram, topic.threadId).length === 2, 'first message');
    const msg = telegram.userSends(GROUP_ID, { from: OPERATOR, threadId: topic.threadId, text: 'first words' });
    const underIt = () =>
      telegram
        .messages(GROUP_ID, { threadId: topic.threadId, fromBot: true })
        .filter((m) => m.replyToMessageId === msg.message_id);
    const undo = await waitFor(() => underIt().find((m) => m.replyMarkup !== undefined), 'the undo notice');

    disk.full = true;
    telegram.userEdits(GROUP_ID, msg.message_id, 'second words');
    const refusal = await waitFor(() => underIt().find((m) => m.text?.includes('NOT applied')), 'the edit refusal');
    expect(refusal.text).toMatch(/ENOSPC/);
    const data = undo.replyMarkup?.inline_keyboard[0]?.[0];
    const query = telegram.userPressesButton(
      GROUP_ID,
      undo.message_id,
      data && 'callback_data' in data ? (data.callback_data ?? '') : '',
      OPERATOR,
    );
    await waitFor(() => telegram.callbackAnswer(query)?.answered, 'button answered');
    expect(telegram.callbackAnswer(query)?.text).toMatch(/^Not saved \(ENOSPC\); nothing changed/);

    disk.full = false;
    await waitFor(() => (telegram.message(GROUP_ID, msg.message_id)?.reactions ?? []).length > 0, 'delivered');
    expect(market.sent.map((s) => s.text)).toEqual(['first words']);
  });
});
