import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bridge } from '../../src/bridge/bridge.ts';
import type { GuardFinding, ReplyGuardPort } from '../../src/bridge/ports.ts';
import { REACTION_NOTE } from '../../src/bridge/notes.ts';
import { textsFor } from '../../src/bridge/texts.ts';
import { JsonStore } from '../../src/store/store.ts';
import pino from 'pino';
import { makeBridge, telegramMessageId, topicId, type MemoryMarket, type MemoryTelegram } from './memory-ports.ts';

const operator = { id: 7 as never, name: 'Olga' };

/** A stand-in guard: flags "+7 …" phone numbers and the word "whatsapp"; the real one is tested in test/guard. */
function testGuard(mode: 'warn' | 'block' = 'warn', seen: string[][] = []): ReplyGuardPort {
  return {
    mode,
    check(text, context) {
      seen.push([...context.knownNumbers]);
      const found: GuardFinding[] = [];
      for (const m of text.matchAll(/\+7[\d ]{10,}\d|whatsapp/gi))
        found.push({ kind: m[0].startsWith('+') ? 'phone' : 'messenger', fragment: m[0] });
      return found;
    },
  };
}

async function linked(mode: 'warn' | 'block' = 'warn', over: Parameters<typeof makeBridge>[0] = {}) {
  const ctx = await makeBridge({ guard: testGuard(mode), ...over });
  ctx.market.addChat(1, { context: { type: 'ORDER', orderId: 48123456789 } } as never);
  ctx.bridge.chatSeen(ctx.market.chats.get(1)!);
  await ctx.bridge.idle();
  return ctx;
}

/** A new bridge over the same ports and store, with the test guard on: as after a restart. */
const restarted = (market: MemoryMarket, telegram: MemoryTelegram, store: JsonStore) =>
  new Bridge(market, telegram, store, {
    businessId: 1,
    historyOnFirstSight: 3,
    texts: textsFor('en'),
    logger: pino({ level: 'silent' }),
    guard: testGuard(),
    retryDelayMs: () => 5,
  });

const msg = (id: number, text: string) => ({
  topicId: topicId(1),
  messageId: telegramMessageId(id),
  from: operator,
  text,
});
const press = (bridge: Bridge, kind: 'allow' | 'cancel', id: number, under: number) =>
  bridge.operatorAction(
    { kind, topicId: topicId(1), messageId: telegramMessageId(id) },
    { messageId: telegramMessageId(under) },
  );
const settle = async (bridge: Bridge) => {
  await bridge.idle();
  await new Promise((r) => setTimeout(r, 10));
  await bridge.idle();
};

describe('Reply guard: held replies', () => {
  it('holds a flagged reply, quotes what it found, and sends it only after Send anyway', async () => {
    const { market, telegram, bridge, store } = await linked();
    await bridge.operatorMessage(msg(500, 'Call me: +7 999 123 45 67'));
    await settle(bridge);
    expect(market.sent).toHaveLength(0);
    const notice = telegram.posts.at(-1)!;
    expect(notice.replyTo).toBe(500);
    expect(notice.html).toContain('a phone number: «+7 999 123 45 67»');
    expect(notice.html).toMatch(/hides a shop’s goods/);
    expect(notice.buttons).toEqual([
      { text: '⚠️ Send anyway', data: 'a:1:500' },
      { text: '✖️ Cancel', data: 'u:1:500' },
    ]);
    expect(store.allReplies().map((r) => r.state)).toEqual(['held']);
    expect(await press(bridge, 'allow', 500, notice.messageId)).toMatch(/Sending, as you decided/);
    await settle(bridge);
    expect(market.sent.map((s) => s.text)).toEqual(['Call me: +7 999 123 45 67']);
    expect(notice.html).toMatch(/Delivered/);
    expect(notice.buttons).toBeUndefined();
  });

  it('Cancel keeps a held reply from the buyer', async () => {
    const { market, telegram, bridge } = await linked();
    await bridge.operatorMessage(msg(500, 'write me on WhatsApp'));
    await settle(bridge);
    const notice = telegram.posts.at(-1)!;
    expect(await press(bridge, 'cancel', 500, notice.messageId)).toMatch(/Cancelled/);
    await settle(bridge);
    expect(market.sent).toHaveLength(0);
    expect(notice.html).toMatch(/Cancelled/);
  });

  it('re-checks an edited held reply: still flagged updates the notice, clean sends it', async () => {
    const { market, telegram, bridge } = await linked();
    await bridge.operatorMessage(msg(500, 'whatsapp me'));
    await settle(bridge);
    const notice = telegram.posts.at(-1)!;
    await bridge.operatorEdited(topicId(1), telegramMessageId(500), 'call +7 999 123 45 67 then');
    await settle(bridge);
    expect(market.sent).toHaveLength(0);
    expect(notice.html).toContain('«+7 999 123 45 67»');
    expect(notice.html).not.toContain('whatsapp');
    await bridge.operatorEdited(topicId(1), telegramMessageId(500), 'We will answer here, in this chat.');
    await settle(bridge);
    expect(market.sent.map((s) => s.text)).toEqual(['We will answer here, in this chat.']);
    expect(notice.html).toMatch(/Delivered/);
    // One notice under the reply, edited as it went from held to held again to delivered.
    expect(telegram.posts.filter((p) => p.replyTo === 500)).toHaveLength(1);
  });

  it('keeps the chat order: later replies wait behind a held one and are told so', async () => {
    const { market, telegram, bridge } = await linked();
    await bridge.operatorMessage(msg(500, 'whatsapp?'));
    await bridge.operatorMessage(msg(501, 'second'));
    await settle(bridge);
    expect(market.sent).toHaveLength(0);
    const behind = telegram.posts.find((p) => p.replyTo === 501)!;
    expect(behind.html).toMatch(/earlier reply in this chat is held/);
    expect(behind.buttons).toEqual([{ text: '✖️ Cancel', data: 'u:1:501' }]);
    const notice = telegram.posts.find((p) => p.replyTo === 500)!;
    await press(bridge, 'cancel', 500, notice.messageId);
    await settle(bridge);
    expect(market.sent.map((s) => s.text)).toEqual(['second']);
    expect(behind.html).toMatch(/Delivered/);
  });

  it('in block mode offers only Cancel and refuses Send anyway', async () => {
    const { market, telegram, bridge } = await linked('block');
    await bridge.operatorMessage(msg(500, 'whatsapp'));
    await settle(bridge);
    const notice = telegram.posts.at(-1)!;
    expect(notice.buttons).toEqual([{ text: '✖️ Cancel', data: 'u:1:500' }]);
    expect(notice.html).toMatch(/such messages are not sent/);
    expect(await press(bridge, 'allow', 500, notice.messageId)).toMatch(/not sent/);
    await settle(bridge);
    expect(market.sent).toHaveLength(0);
  });

  it('checks captions and file names, and tells the chat’s own numbers to the guard', async () => {
    const seen: string[][] = [];
    const { market, telegram, bridge } = await linked('warn', { guard: testGuard('warn', seen) });
    await bridge.operatorMessage({
      topicId: topicId(1),
      messageId: telegramMessageId(500),
      from: operator,
      file: { fileId: 'f1', name: 'whatsapp-qr.png', kind: 'document' },
      caption: 'scan it',
    });
    await settle(bridge);
    expect(market.sent).toHaveLength(0);
    expect(telegram.posts.at(-1)!.html).toContain('«whatsapp»');
    expect(seen[0]).toEqual(expect.arrayContaining(['1', '48123456789']));
  });

  it('holds a corrected text that breaks the rules', async () => {
    const { market, telegram, bridge } = await linked();
    await bridge.operatorMessage(msg(500, 'price is 100'));
    await settle(bridge);
    await bridge.operatorEdited(topicId(1), telegramMessageId(500), 'price is 100, whatsapp me');
    const offer = telegram.posts.at(-1)!;
    const answer = await bridge.operatorAction(
      { kind: 'correct', topicId: topicId(1), messageId: telegramMessageId(500) },
      { messageId: telegramMessageId(offer.messageId) },
    );
    expect(answer).toMatch(/Held/);
    await settle(bridge);
    expect(market.sent.map((s) => s.text)).toEqual(['price is 100']);
    const notice = telegram.posts.find((p) => p.replyTo === 500 && p.buttons?.[0]?.data === 'a:1:500')!;
    await press(bridge, 'allow', 500, notice.messageId);
    await settle(bridge);
    expect(market.sent.map((s) => s.text)).toEqual(['price is 100', 'price is 100, whatsapp me']);
  });

  it('holds a reply at its last look when the guard was turned on after it was written down', async () => {
    const { market, telegram, bridge, store } = await linked('warn', { guard: undefined, undoSeconds: 1 });
    await bridge.operatorMessage(msg(500, 'whatsapp'));
    // The same store, now with the guard on, as after a restart with REPLY_GUARD changed.
    bridge.stop();
    await bridge.idle();
    const again = restarted(market, telegram, store);
    await again.resume();
    await new Promise((r) => setTimeout(r, 1100));
    await settle(again);
    expect(market.sent).toHaveLength(0);
    expect(store.allReplies().map((r) => r.state)).toEqual(['held']);
    expect(telegram.posts.at(-1)!.buttons?.[0]?.data).toBe('a:1:500');
  });

  it('a held reply survives a restart: its notice is posted if it was not, and Send anyway still works', async () => {
    const { market, telegram, bridge, store } = await linked();
    await bridge.operatorMessage(msg(500, 'whatsapp'));
    await settle(bridge);
    bridge.stop();
    const dir = path.dirname(store.file);
    await store.close();
    const reopened = await JsonStore.open(dir);
    // As if the process died before the notice was posted.
    for (const r of reopened.allReplies()) {
      r.noticeId = undefined;
      reopened.saveReply(r);
    }
    await reopened.commit();
    const again = restarted(market, telegram, reopened);
    await again.resume();
    await settle(again);
    const notice = telegram.posts.at(-1)!;
    expect(notice.buttons?.[0]?.data).toBe('a:1:500');
    await press(again, 'allow', 500, notice.messageId);
    await settle(again);
    expect(market.sent.map((s) => s.text)).toEqual(['whatsapp']);
  });
});

describe('Reply guard: what the metrics are told', () => {
  it('counts each hold once (a flagged edit is a new hold), and each Send anyway', async () => {
    const decisions: string[] = [];
    const observer = {
      mirrored() {},
      answered() {},
      replyOutcome() {},
      refused() {},
      guard: (decision: string, kinds: readonly string[]) => void decisions.push(`${decision}:${kinds.join(',')}`),
    };
    const { telegram, bridge } = await linked('warn', { observer });
    await bridge.operatorMessage(msg(500, 'whatsapp'));
    await settle(bridge);
    await bridge.operatorEdited(topicId(1), telegramMessageId(500), 'call +7 999 123 45 67');
    await settle(bridge);
    const notice = telegram.posts.find((p) => p.replyTo === 500)!;
    await press(bridge, 'allow', 500, notice.messageId);
    await settle(bridge);
    expect(decisions).toEqual(['held:messenger', 'held:phone', 'sent-anyway:phone']);
  });
});

describe('Internal notes', () => {
  it('never sends a message that starts with //, and marks it', async () => {
    const { market, telegram, bridge, store } = await linked();
    await bridge.operatorMessage(msg(500, '// buyer sounds angry, careful with the refund'));
    await bridge.operatorMessage({
      ...msg(501, ''),
      text: undefined,
      file: { fileId: 'f', name: 'a.png', kind: 'photo' },
      caption: '  //for us',
    });
    await settle(bridge);
    expect(market.sent).toHaveLength(0);
    expect(store.allReplies()).toHaveLength(0);
    expect(telegram.reactions).toEqual([
      { messageId: 500, emoji: REACTION_NOTE },
      { messageId: 501, emoji: REACTION_NOTE },
    ]);
  });

  it('turns a waiting reply edited to start with // into a note', async () => {
    const { market, telegram, bridge } = await linked('warn', { undoSeconds: 1 });
    await bridge.operatorMessage(msg(500, 'meant for colleagues'));
    await bridge.operatorEdited(topicId(1), telegramMessageId(500), '// meant for colleagues');
    await new Promise((r) => setTimeout(r, 1100));
    await settle(bridge);
    expect(market.sent).toHaveLength(0);
    expect(telegram.reactions).toEqual([{ messageId: 500, emoji: REACTION_NOTE }]);
    expect(telegram.posts.find((p) => p.replyTo === 500)!.html).toMatch(/Now a note/);
  });
});
