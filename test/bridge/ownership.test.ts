import { describe, expect, it } from 'vitest';
import { telegramMessageId, topicId } from '../../src/bridge/ids.ts';
import { makeBridge, marketChatId } from './memory-ports.ts';

const olga = { id: 7, name: 'Olga' };
const ivan = { id: 8, name: 'Ivan' };
const take = { kind: 'take' as const, topicId: topicId(1) };
const release = { kind: 'release' as const, topicId: topicId(1) };

async function linked() {
  const ctx = await makeBridge();
  ctx.market.addChat(1);
  ctx.bridge.chatSeen(ctx.market.chats.get(1)!);
  await ctx.bridge.idle();
  const card = () => ctx.telegram.inTopic(1)[0]!;
  return { ...ctx, card };
}

describe('Ownership: Take, hand-over, Release, and the first reply', () => {
  it('shows the owner on the card, hands the chat over on Take, and gives it up on Release', async () => {
    const { bridge, store, card } = await linked();
    expect(card().html).toContain('Owner: nobody');
    expect(await bridge.ownerAction(take, olga)).toBe('This chat is yours now.');
    await bridge.idle();
    expect(store.findChat(marketChatId(1))?.owner).toEqual(olga);
    expect(card().html).toContain('Owner: Olga');
    expect(card().buttons?.map((b) => b.data)).toEqual(['t:1', 'o:1', 'l:1']);
    expect(await bridge.ownerAction(take, olga)).toBe('This chat is already yours.');
    // Someone else takes it over: the card says from whom.
    expect(await bridge.ownerAction(take, ivan)).toBe("This chat is yours now (it was Olga's).");
    await bridge.idle();
    expect(card().html).toContain('Owner: Ivan (took it over from Olga)');
    // Only the owner releases.
    expect(await bridge.ownerAction(release, olga)).toMatch(/^Ivan owns this chat/);
    expect(await bridge.ownerAction(release, ivan)).toBe('You no longer own this chat.');
    await bridge.idle();
    expect(store.findChat(marketChatId(1))?.owner).toBeUndefined();
    expect(card().html).toContain('Owner: nobody');
    expect(card().buttons?.map((b) => b.data)).toEqual(['t:1', 'o:1']);
    expect(await bridge.ownerAction(release, ivan)).toBe('Nobody owns this chat.');
  });

  it('makes the first operator who replies in an unowned chat its owner, and nobody after', async () => {
    const { bridge, store, card } = await linked();
    await bridge.operatorMessage({
      topicId: topicId(1),
      messageId: telegramMessageId(500),
      from: { id: 7 as never, name: 'Olga' },
      text: 'Hello',
    });
    await bridge.operatorMessage({
      topicId: topicId(1),
      messageId: telegramMessageId(501),
      from: { id: 8 as never, name: 'Ivan' },
      text: 'Hello again',
    });
    await bridge.idle();
    expect(store.findChat(marketChatId(1))?.owner).toEqual(olga);
    expect(card().html).toContain('Owner: Olga');
  });

  it('posts a new card when the old one was deleted, and remembers it', async () => {
    const { bridge, telegram, store } = await linked();
    const old = store.findChat(marketChatId(1))!.cardId!;
    telegram.posts = telegram.posts.filter((p) => p.messageId !== old);
    await bridge.ownerAction(take, olga);
    await bridge.idle();
    const rec = store.findChat(marketChatId(1))!;
    expect(rec.cardId).not.toBe(old);
    expect(telegram.posts.find((p) => p.messageId === rec.cardId)?.html).toContain('Owner: Olga');
  });

  it('answers for a topic that belongs to no chat', async () => {
    const { bridge } = await linked();
    expect(await bridge.ownerAction({ kind: 'take', topicId: topicId(99) }, olga)).toBe(
      'This topic belongs to no Market chat.',
    );
  });
});
