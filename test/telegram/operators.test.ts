import type { ChatMember, ChatMemberUpdated } from 'grammy/types';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Operators } from '../../src/telegram/operators.ts';

const GROUP = -1001000000001;
const log = pino({ level: 'silent' });
const user = (id: number) => ({ id, is_bot: false, first_name: `U${id}` });

/** A getChatAdministrators that answers with the current `admins` and counts its calls. */
function adminsApi(admins: ChatMember[]) {
  const api = {
    calls: 0,
    admins,
    getChatAdministrators: (chatId: number | string) => {
      api.calls++;
      expect(chatId).toBe(GROUP);
      return Promise.resolve(api.admins);
    },
  };
  return api;
}

const creator = (id: number): ChatMember => ({ status: 'creator', user: user(id), is_anonymous: false });
const admin = (id: number) => ({ status: 'administrator', user: user(id) }) as ChatMember;
const member = (id: number): ChatMember => ({ status: 'member', user: user(id) });

function change(id: number, from: ChatMember, to: ChatMember, chatId = GROUP): ChatMemberUpdated {
  return {
    chat: { id: chatId, type: 'supergroup', title: 'Shop' },
    from: user(1),
    date: 1,
    old_chat_member: from,
    new_chat_member: to,
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Operators', () => {
  it('lets everyone answer with OPERATORS=all, without asking Telegram', async () => {
    const api = adminsApi([]);
    const ops = new Operators({ kind: 'all' }, { api, groupId: GROUP, logger: log });
    await ops.start();
    expect(ops.mayAnswer({ userId: 5, anonymousAdmin: false })).toBe(true);
    expect(ops.watchesMembers).toBe(false);
    expect(api.calls).toBe(0);
  });

  it('lets only the listed user ids answer, and no anonymous admin', () => {
    const ops = new Operators({ kind: 'ids', ids: [5, 6] }, { api: adminsApi([]), groupId: GROUP, logger: log });
    expect(ops.mayAnswer({ userId: 5, anonymousAdmin: false })).toBe(true);
    expect(ops.mayAnswer({ userId: 7, anonymousAdmin: false })).toBe(false);
    expect(ops.mayAnswer({ userId: undefined, anonymousAdmin: true })).toBe(false);
  });

  it.each([[{ kind: 'all' }], [{ kind: 'admins' }], [{ kind: 'ids', ids: [5, 6] }]] as const)(
    "lets only the chat's own person answer in a private chat (solo mode), whatever OPERATORS is (%j)",
    async (setting) => {
      const solo = 1001;
      const api = { getChatAdministrators: () => Promise.reject(new Error('no administrators')) };
      const ops = new Operators(setting, { api, groupId: solo, logger: log });
      await ops.start();
      ops.stop();
      expect(ops.mayAnswer({ userId: solo, anonymousAdmin: false })).toBe(true);
      expect(ops.mayAnswer({ userId: 5, anonymousAdmin: false })).toBe(false);
      expect(ops.mayAnswer({ userId: undefined, anonymousAdmin: true })).toBe(false);
      expect(ops.watchesMembers).toBe(false);
    },
  );

  it("lets the group's creator, administrators and anonymous admins answer with OPERATORS=admins", async () => {
    const api = adminsApi([creator(1), admin(2)]);
    const ops = new Operators({ kind: 'admins' }, { api, groupId: GROUP, logger: log });
    await ops.start();
    ops.stop();
    expect(ops.watchesMembers).toBe(true);
    expect(ops.mayAnswer({ userId: 1, anonymousAdmin: false })).toBe(true);
    expect(ops.mayAnswer({ userId: 2, anonymousAdmin: false })).toBe(true);
    expect(ops.mayAnswer({ userId: 3, anonymousAdmin: false })).toBe(false);
    expect(ops.mayAnswer({ userId: undefined, anonymousAdmin: true })).toBe(true);
  });

  it('follows promotions and demotions of this group from chat_member updates', async () => {
    const ops = new Operators({ kind: 'admins' }, { api: adminsApi([admin(2)]), groupId: GROUP, logger: log });
    await ops.start();
    ops.stop();
    ops.memberChanged(change(3, member(3), admin(3)));
    expect(ops.mayAnswer({ userId: 3, anonymousAdmin: false })).toBe(true);
    ops.memberChanged(change(2, admin(2), member(2)));
    expect(ops.mayAnswer({ userId: 2, anonymousAdmin: false })).toBe(false);
    ops.memberChanged(change(4, member(4), admin(4), -100555));
    expect(ops.mayAnswer({ userId: 4, anonymousAdmin: false })).toBe(false);
  });

  it('reads the administrators again periodically, keeping the last list when that fails', async () => {
    vi.useFakeTimers();
    const api = adminsApi([admin(2)]);
    const ops = new Operators({ kind: 'admins' }, { api, groupId: GROUP, logger: log, refreshMs: 60_000 });
    await ops.start();
    api.admins = [admin(3)];
    await vi.advanceTimersByTimeAsync(60_000);
    expect(api.calls).toBe(2);
    expect(ops.mayAnswer({ userId: 2, anonymousAdmin: false })).toBe(false);
    expect(ops.mayAnswer({ userId: 3, anonymousAdmin: false })).toBe(true);
    api.getChatAdministrators = () => Promise.reject(new Error('network down'));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ops.mayAnswer({ userId: 3, anonymousAdmin: false })).toBe(true);
    ops.stop();
  });

  it('fails to start when the administrators cannot be read', async () => {
    const api = { getChatAdministrators: () => Promise.reject(new Error('Forbidden')) };
    const ops = new Operators({ kind: 'admins' }, { api, groupId: GROUP, logger: log });
    await expect(ops.start()).rejects.toThrow('Forbidden');
  });
});
