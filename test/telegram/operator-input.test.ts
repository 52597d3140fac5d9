import type { Message } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { encodeAction, parseAction } from '../../src/telegram/buttons.ts';
import { toOperatorMessage } from '../../src/telegram/operator-input.ts';

const GROUP = -1001000000001;
const person = { id: 7, is_bot: false, first_name: 'Olga', last_name: 'K' };

function msg(over: Partial<Message> & Record<string, unknown> = {}): Message {
  return {
    message_id: 100,
    date: 1,
    chat: { id: GROUP, type: 'supergroup', title: 'Shop', is_forum: true },
    from: person,
    message_thread_id: 55,
    is_topic_message: true,
    text: 'Hello buyer',
    ...over,
  };
}

describe('toOperatorMessage', () => {
  it('accepts text a person writes in a topic of the group', () => {
    const v = toOperatorMessage(msg(), GROUP);
    expect(v).toEqual({
      ok: true,
      msg: { topicId: 55, messageId: 100, from: { id: 7, name: 'Olga K' }, text: 'Hello buyer' },
    });
  });

  it('ignores other chats', () => {
    expect(toOperatorMessage(msg({ chat: { id: -100999, type: 'supergroup', title: 'x' } }), GROUP)).toMatchObject({
      ok: false,
      why: 'other chat',
    });
  });

  it('ignores the General topic', () => {
    expect(toOperatorMessage(msg({ message_thread_id: undefined, is_topic_message: undefined }), GROUP)).toMatchObject({
      ok: false,
      why: 'general topic',
    });
  });

  it('ignores a reply in General that carries no topic flag', () => {
    expect(toOperatorMessage(msg({ is_topic_message: undefined }), GROUP)).toMatchObject({ ok: false });
  });

  it('ignores bots', () => {
    expect(toOperatorMessage(msg({ from: { id: 9, is_bot: true, first_name: 'B' } }), GROUP)).toMatchObject({
      ok: false,
      why: 'bot',
    });
  });

  const command = (text: string, length = text.indexOf(' ') < 0 ? text.length : text.indexOf(' ')) =>
    msg({ text, entities: [{ type: 'bot_command', offset: 0, length }] });
  const rules = { botUsername: 'Shop_Bot', commands: ['status'], mayAnswer: () => true };

  it('leaves the commands the bot answers to their handlers, without a word', () => {
    for (const text of ['/status', '/status@shop_bot', '/STATUS@Shop_Bot']) {
      expect(toOperatorMessage(command(text), GROUP, rules)).toEqual({ ok: false, why: 'command' });
    }
  });

  it('refuses, with a reason to tell, a message that starts with a command the bot does not know', () => {
    for (const text of ['/refund will be done tomorrow', '/refund@shop_bot tomorrow']) {
      expect(toOperatorMessage(command(text), GROUP, rules)).toEqual({
        ok: false,
        why: 'unknown command',
        refusal: 'command',
      });
    }
    const caption = msg({
      text: undefined,
      caption: '/refund see photo',
      caption_entities: [{ type: 'bot_command', offset: 0, length: 7 }],
      photo: [{ file_id: 'p', file_unique_id: 'p', width: 9, height: 9 }],
    });
    expect(toOperatorMessage(caption, GROUP, rules)).toMatchObject({ ok: false, refusal: 'command' });
  });

  it("ignores other bots' commands without answering for them", () => {
    expect(toOperatorMessage(command('/start@other_bot hello'), GROUP, rules)).toEqual({
      ok: false,
      why: 'command for another bot',
    });
  });

  it('sends a text with a slash later on, or a command in the middle', () => {
    const v = toOperatorMessage(
      msg({ text: 'see /status', entities: [{ type: 'bot_command', offset: 4, length: 7 }] }),
      GROUP,
      rules,
    );
    expect(v).toMatchObject({ ok: true, msg: { text: 'see /status' } });
  });

  it('refuses a forwarded message with a reason to tell, and drops a channel post copied into the group', () => {
    const forwarded = msg({ forward_origin: { type: 'user', date: 1, sender_user: { ...person, id: 99 } } });
    expect(toOperatorMessage(forwarded, GROUP, rules)).toEqual({ ok: false, why: 'forwarded', refusal: 'forwarded' });
    const hidden = msg({ forward_origin: { type: 'hidden_user', date: 1, sender_user_name: 'Someone' } });
    expect(toOperatorMessage(hidden, GROUP, rules)).toMatchObject({ refusal: 'forwarded' });
    const automatic = msg({
      is_automatic_forward: true,
      sender_chat: { id: -1007, type: 'channel', title: 'News' },
      forward_origin: { type: 'channel', date: 1, chat: { id: -1007, type: 'channel', title: 'News' }, message_id: 3 },
    });
    expect(toOperatorMessage(automatic, GROUP, rules)).toEqual({ ok: false, why: 'automatic forward' });
  });

  it('refuses, with a reason to tell, anyone who may not answer buyers, before anything else is said', () => {
    const seen: unknown[] = [];
    const only = {
      ...rules,
      mayAnswer: (s: unknown) => {
        seen.push(s);
        return false;
      },
    };
    expect(toOperatorMessage(msg(), GROUP, only)).toEqual({
      ok: false,
      why: 'not an operator',
      refusal: 'not-operator',
    });
    expect(toOperatorMessage(command('/refund x'), GROUP, only)).toMatchObject({ refusal: 'not-operator' });
    expect(seen[0]).toEqual({ userId: 7, anonymousAdmin: false });
    const anonymous = msg({
      from: { id: 1087968824, is_bot: true, first_name: 'Group' },
      sender_chat: { id: GROUP, type: 'supergroup', title: 'Shop' },
    });
    toOperatorMessage(anonymous, GROUP, only);
    expect(seen.at(-1)).toEqual({ userId: undefined, anonymousAdmin: true });
  });

  it('ignores service messages', () => {
    const v = toOperatorMessage(msg({ text: undefined, forum_topic_created: { name: 'x', icon_color: 1 } }), GROUP);
    expect(v).toMatchObject({ ok: false, why: 'service message' });
  });

  it('accepts an anonymous admin posting as the group', () => {
    const v = toOperatorMessage(
      msg({
        from: { id: 1087968824, is_bot: true, first_name: 'Group' },
        sender_chat: { id: GROUP, type: 'supergroup', title: 'Shop' },
        author_signature: 'Boss',
      }),
      GROUP,
    );
    expect(v).toMatchObject({ ok: true, msg: { from: { name: 'Boss' } } });
  });

  it('takes the largest photo size with its caption', () => {
    const v = toOperatorMessage(
      msg({
        text: undefined,
        caption: 'see photo',
        photo: [
          { file_id: 'small', file_unique_id: 's', width: 90, height: 90, file_size: 1000 },
          { file_id: 'big', file_unique_id: 'b', width: 1280, height: 960, file_size: 90000 },
        ],
      }),
      GROUP,
    );
    expect(v).toMatchObject({
      ok: true,
      msg: { caption: 'see photo', file: { fileId: 'big', kind: 'photo', size: 90000, name: 'photo_100.jpg' } },
    });
  });

  it('passes a sticker through as content without text so the bridge can explain', () => {
    const v = toOperatorMessage(
      msg({
        text: undefined,
        sticker: {
          file_id: 's',
          file_unique_id: 's',
          type: 'regular',
          width: 1,
          height: 1,
          is_animated: false,
          is_video: false,
        },
      }),
      GROUP,
    );
    expect(v).toMatchObject({ ok: true, msg: { text: undefined } });
    expect(v.ok && v.msg.file).toBeUndefined();
  });
});

describe('parseAction', () => {
  it('decodes what encodeAction encodes, for every action', () => {
    for (const kind of ['retry', 'correct', 'cancel'] as const) {
      const action = { kind, topicId: 12 as never, messageId: 345 as never };
      expect(parseAction(encodeAction(action))).toEqual(action);
    }
  });

  it('keeps the wire format of buttons already posted: r, c and u, then the topic and the message', () => {
    const at = { topicId: 12 as never, messageId: 345 as never };
    expect(encodeAction({ kind: 'retry', ...at })).toBe('r:12:345');
    expect(encodeAction({ kind: 'correct', ...at })).toBe('c:12:345');
    expect(encodeAction({ kind: 'cancel', ...at })).toBe('u:12:345');
  });

  it('refuses anything else', () => {
    for (const data of ['', 'x:1:2', 'r:1', 'r:a:b', 'r:1:2:3', 'r:1234567890123456:1']) {
      expect(parseAction(data)).toBeUndefined();
    }
  });
});
