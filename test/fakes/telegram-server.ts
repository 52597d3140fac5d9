/**
 * A stateful fake of the Telegram Bot API (https://core.telegram.org/bots/api) on `node:http`, for tests.
 *
 * It owns a small Telegram world (supergroups with forum topics, private chats, messages, files, the
 * bot's update queue and its webhook) and answers grammY as api.telegram.org would: the same URLs, the
 * same `{ ok, result }` / `{ ok, error_code, description, parameters }` envelopes, and Telegram's own
 * error descriptions where their wording is known. Tests play the users (`userSends`,
 * `userPressesButton`, `userClosesTopic`, `userPins`, …), inject faults (`failNext`, `setFloodLimit`) and
 * inspect what the bot did (`calls`, `messages`, `topics`, `pinnedMessages`). It listens on 127.0.0.1 only
 * and delivers webhooks to loopback URLs only, so nothing leaves the machine.
 *
 * Known simplifications are listed on {@link FakeTelegram}.
 */
import { randomBytes, randomInt } from 'node:crypto';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type {
  BotCommand,
  Chat,
  InlineKeyboardMarkup,
  Message,
  MessageEntity,
  MessageOrigin,
  User,
  UserFromGetMe,
} from 'grammy/types';
import { listenOnLoopback } from './loopback.ts';
import {
  closingRefusal,
  creationRefusal,
  deletionRefusal,
  hasTopics,
  mayChangeTopic,
  NOT_A_FORUM,
  userCreationRefusal,
} from './telegram-topic-rules.ts';

// ---------------------------------------------------------------------------------------------------
// Public types

/** How to start a {@link FakeTelegram}. */
export interface FakeTelegramOptions {
  /** The only token the fake accepts; any other token in a URL gets 401 Unauthorized. */
  token: string;
  /** The bot's identity as `getMe` returns it. Defaults to the numeric prefix of the token, `fake_bot`. */
  bot?: { id: number; username: string; first_name: string };
  /** Webhook delivery: how often one update is tried (default 5) and the pause between tries (default 50 ms). */
  webhookRetry?: { attempts: number; delayMs: number };
}

/** A user as the test describes them in `userSends` / `userPressesButton`. */
export interface FakeUserInput {
  id: number;
  first_name: string;
  is_bot?: boolean;
  username?: string;
  last_name?: string;
}

/** A member's status in a group, as ChatMember.status spells it. */
export type FakeMemberStatus = 'creator' | 'administrator' | 'member' | 'restricted' | 'left' | 'kicked';

/** A file the fake holds: uploaded by the bot or sent by a user. */
export interface FakeFile {
  /** Telegram's reusable id (pass it back to sendPhoto/sendDocument/getFile). */
  readonly file_id: string;
  readonly file_unique_id: string;
  readonly kind: 'photo' | 'document';
  /** Path for `getFile` / downloads: `${url}/file/bot<token>/<filePath>`. */
  readonly filePath: string;
  /** Original file name (documents only). */
  readonly fileName?: string;
  readonly mimeType?: string;
  /** Size in bytes. */
  readonly size: number;
  /** The exact bytes that were uploaded (real Telegram re-encodes photos; the fake keeps them as sent). */
  readonly data: Uint8Array;
  readonly width?: number;
  readonly height?: number;
}

/** A version of a message that an edit replaced, with the time (ms) it was replaced. */
export interface FakeEdit {
  readonly replacedAt: number;
  readonly text?: string;
  readonly rawText?: string;
  readonly entities?: MessageEntity[];
  readonly caption?: string;
  readonly replyMarkup?: InlineKeyboardMarkup;
}

/** A service event carried by a service message (the ones the fake generates). */
export type FakeServiceEvent =
  | { kind: 'forum_topic_created'; name: string; iconColor: number; iconCustomEmojiId?: string }
  | { kind: 'forum_topic_edited'; name?: string; iconCustomEmojiId?: string }
  | { kind: 'forum_topic_closed' }
  | { kind: 'forum_topic_reopened' }
  /** A message of the same chat was pinned (`pinned_message`). */
  | { kind: 'pinned_message'; messageId: number };

/** A message in the fake world, with the test-facing view next to the JSON the API returns. */
export interface FakeMessage {
  /** Telegram message id, unique inside its chat. */
  readonly message_id: number;
  readonly chatId: number;
  /** Forum topic (its `message_thread_id`); undefined for the General topic and non-forum chats. */
  readonly threadId?: number;
  /** The bot or the user who sent it. */
  readonly from: User;
  /** Unix time, seconds. */
  readonly date: number;
  /** The text as a user sees it (after HTML parsing). */
  readonly text?: string;
  /** The `text` parameter exactly as the bot sent it. */
  readonly rawText?: string;
  readonly parseMode?: string;
  readonly entities?: MessageEntity[];
  readonly caption?: string;
  readonly rawCaption?: string;
  readonly captionEntities?: MessageEntity[];
  readonly photo?: FakeFile;
  readonly document?: FakeFile;
  /** Message this one explicitly replies to (not the implicit topic-root reply Telegram adds). */
  readonly replyToMessageId?: number;
  /** Where a forwarded message came from (`forward_origin`). */
  readonly forwardOrigin?: MessageOrigin;
  readonly replyMarkup?: InlineKeyboardMarkup;
  /** The bot's `link_preview_options` of a text message (url, prefer_large_media, is_disabled, …), when given. */
  readonly linkPreview?: Record<string, unknown>;
  /** Emoji reactions the bot set on this message (setMessageReaction replaces them). */
  readonly reactions: readonly string[];
  /** Earlier versions, oldest first. */
  readonly editHistory: readonly FakeEdit[];
  readonly editDate?: number;
  readonly isService?: boolean;
  readonly service?: FakeServiceEvent;
  /** The `Message` object as the Bot API returns it now (reflects later edits). */
  readonly json: Message;
}

/** One request the fake answered. */
export interface FakeCall {
  /** Method name as the API spells it (`sendMessage`), or as requested when unknown. */
  method: string;
  /** Parameters after parsing; uploads appear as `{ upload: fileName, size }`. */
  params: Record<string, unknown>;
  /** Arrival time, ms. */
  at: number;
  /** HTTP status answered; 0 while pending or when the connection was dropped. */
  status: number;
  /** `webhook-reply` when the method came back in a webhook response body. */
  via: 'http' | 'webhook-reply';
}

/** A forum topic as the fake knows it. */
export interface FakeTopic {
  threadId: number;
  name: string;
  /** When the fake created it (ms): not part of the Bot API, for test verdicts. */
  createdAt: number;
  iconColor?: number;
  iconCustomEmojiId?: string;
  deleted: boolean;
  closed: boolean;
}

/** A fault to inject with {@link FakeTelegram.failNext}. */
export type FakeFault =
  | { status: 429; retryAfter: number }
  | { status: 500 | 502 }
  | { status: 400; description: string }
  | { delayMs: number }
  | { dropConnection: true }
  /** The call takes effect (the message is posted), then the connection is dropped without an answer. */
  | { applyThenDrop: true };

/** What became of a callback query the fake queued. */
export interface FakeCallbackAnswer {
  answered: boolean;
  text?: string;
  showAlert?: boolean;
  url?: string;
}

/** A valid 1×1 PNG, handy for `sendPhoto` (the fake refuses photos that are not images). */
export const TINY_PNG: Uint8Array = Uint8Array.from(
  Buffer.from(
    '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
      '1f15c4890000000a49444154789c63000100000500010d0a2db40000000049454e44ae426082',
    'hex',
  ),
);

// ---------------------------------------------------------------------------------------------------
// Constants from the Bot API documentation

/** Calls that post a message (a service message for topic changes and pins): they count against flood control. */
const SEND_METHODS = new Set([
  'sendMessage',
  'sendPhoto',
  'sendDocument',
  'createForumTopic',
  'editForumTopic',
  'closeForumTopic',
  'reopenForumTopic',
  'pinChatMessage',
  'copyMessage',
]);
/** Sends that {@link FakeTelegram.refuse} applies to. */
const REFUSABLE_METHODS = new Set(['sendMessage', 'sendPhoto', 'sendDocument', 'copyMessage']);
const TOPIC_ICON_COLORS = [7322096, 16766590, 13338331, 9367192, 16749490, 16478047];
/** ReactionTypeEmoji: the emoji a bot may set. */
// prettier-ignore
const REACTION_EMOJI = new Set(
  [
    '👍', '👎', '❤', '🔥', '🥰', '👏', '😁', '🤔', '🤯', '😱', '🤬', '😢', '🎉', '🤩', '🤮', '💩', '🙏', '👌', '🕊', '🤡',
    '🥱', '🥴', '😍', '🐳', '❤‍🔥', '🌚', '🌭', '💯', '🤣', '⚡', '🍌', '🏆', '💔', '🤨', '😐', '🍓', '🍾', '💋', '🖕', '😈',
    '😴', '😭', '🤓', '👻', '👨‍💻', '👀', '🎃', '🙈', '😇', '😨', '🤝', '✍', '🤗', '🫡', '🎅', '🎄', '☃', '💅', '🤪', '🗿',
    '🆒', '💘', '🙉', '🦄', '😘', '💊', '🙊', '😎', '👾', '🤷‍♂', '🤷', '🤷‍♀', '😡',
  ],
);
const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);
/** Update types Telegram leaves out unless `allowed_updates` names them. */
const OPT_IN_UPDATES = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);
const COMMAND_SCOPES = new Set([
  'default',
  'all_private_chats',
  'all_group_chats',
  'all_chat_administrators',
  'chat',
  'chat_administrators',
  'chat_member',
]);
const BUTTON_ACTIONS = [
  'url',
  'callback_data',
  'web_app',
  'login_url',
  'switch_inline_query',
  'switch_inline_query_current_chat',
  'switch_inline_query_chosen_chat',
  'copy_text',
  'callback_game',
  'pay',
];
const MIME_BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  csv: 'text/csv',
  html: 'text/html',
  json: 'application/json',
  xml: 'application/xml',
  zip: 'application/zip',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  mp4: 'video/mp4',
};
/** The rights of an administrator (ChatMemberAdministrator), as the fake grants them. */
const ADMIN_RIGHTS = {
  is_anonymous: false,
  can_manage_chat: true,
  can_delete_messages: true,
  can_manage_video_chats: true,
  can_restrict_members: true,
  can_promote_members: false,
  can_change_info: true,
  can_invite_users: true,
  can_post_stories: false,
  can_edit_stories: false,
  can_delete_stories: false,
  can_pin_messages: true,
};

/** The permissions of a restricted member (ChatMemberRestricted): may only read. */
const RESTRICTED = {
  can_send_messages: false,
  can_send_audios: false,
  can_send_documents: false,
  can_send_photos: false,
  can_send_videos: false,
  can_send_video_notes: false,
  can_send_voice_notes: false,
  can_send_polls: false,
  can_send_other_messages: false,
  can_add_web_page_previews: false,
  can_change_info: false,
  can_invite_users: false,
  can_pin_messages: false,
  can_manage_topics: false,
};

const MAX_TEXT = 4096;
const MAX_CAPTION = 1024;
const MAX_DOWNLOAD = 20 * 1024 * 1024;
const MAX_UPLOAD = 50 * 1024 * 1024;
const MAX_BODY = MAX_UPLOAD + 1024 * 1024;
const BAD_GATEWAY_HTML =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n';

// ---------------------------------------------------------------------------------------------------
// Errors as the Bot API reports them

class ApiFailure extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: { retry_after: number },
  ) {
    super(description);
  }

  toJSON(): Record<string, unknown> {
    return {
      ok: false,
      error_code: this.code,
      description: this.description,
      ...(this.parameters ? { parameters: this.parameters } : {}),
    };
  }
}

function bad(description: string): ApiFailure {
  return new ApiFailure(400, `Bad Request: ${description}`);
}

function tooManyRequests(retryAfter: number): ApiFailure {
  return new ApiFailure(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
}

/** A successful result that also carries Telegram's `description` (setWebhook, deleteWebhook). */
class Described {
  constructor(
    readonly result: unknown,
    readonly description: string,
  ) {}
}

// ---------------------------------------------------------------------------------------------------
// HTML parse mode

/** Thrown by {@link parseTelegramHtml}; the message is Telegram's text after "can't parse entities: ". */
export class EntityParseError extends Error {
  override readonly name = 'EntityParseError';
}

function fail(message: string): never {
  throw new EntityParseError(message);
}

const HTML_TAGS = new Set([
  'a',
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'span',
  'tg-spoiler',
  'tg-emoji',
  'code',
  'pre',
  'blockquote',
]);
/** Order TDLib gives entities that share offset and length. */
const ENTITY_PRIORITY: Record<string, number> = {
  blockquote: 0,
  expandable_blockquote: 0,
  pre: 11,
  code: 20,
  text_link: 49,
  bold: 90,
  italic: 91,
  underline: 92,
  strikethrough: 93,
  spoiler: 94,
  custom_emoji: 99,
};

interface OpenTag {
  tag: string;
  offset: number;
  url?: string;
  language?: string;
  spanClass?: string;
  emojiId?: string;
  expandable: boolean;
}

function isHtmlSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}

/** Decodes `&lt; &gt; &amp; &quot;` and numeric references at `pos` (TDLib also accepts them without `;`). */
function decodeHtmlEntity(s: string, pos: number): { char: string; end: number } | undefined {
  let end = pos + 1;
  let code: number;
  if (s.charAt(end) === '#') {
    end += 1;
    const hex = s.charAt(end) === 'x' || s.charAt(end) === 'X';
    if (hex) end += 1;
    const digitsStart = end;
    while (hex ? /[0-9a-fA-F]/.test(s.charAt(end)) : /[0-9]/.test(s.charAt(end))) end += 1;
    if (end === digitsStart || end - pos >= 10) return undefined;
    code = parseInt(s.slice(digitsStart, end), hex ? 16 : 10);
    if (code === 0 || code >= 0x10ffff) return undefined;
    if (code >= 0xd800 && code <= 0xdfff) {
      fail(
        'Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units',
      );
    }
  } else {
    while (/[a-zA-Z]/.test(s.charAt(end))) end += 1;
    const named: Record<string, number> = { lt: 60, gt: 62, amp: 38, quot: 34 };
    const found = named[s.slice(pos + 1, end)];
    if (found === undefined) return undefined;
    code = found;
  }
  if (s.charAt(end) === ';') end += 1;
  return { char: String.fromCodePoint(code), end };
}

/** Normalises a link target the way TDLib's check_url roughly does; undefined when it is not a usable URL. */
function normalizeUrl(raw: string): string | undefined {
  if (raw === '' || /\s/.test(raw)) return undefined;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1]?.toLowerCase();
  if (scheme === 'tg' || scheme === 'ton' || scheme === 'tonsite') return raw;
  try {
    const url = new URL(scheme === undefined ? `http://${raw}` : raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (!url.hostname.includes('.') && url.hostname !== 'localhost') return undefined;
    return url.href;
  } catch {
    return undefined;
  }
}

/** Tags whose entity carries nothing but its type. */
const PLAIN_ENTITY: Partial<Record<string, 'bold' | 'italic' | 'underline' | 'strikethrough' | 'spoiler' | 'pre'>> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  span: 'spoiler',
  'tg-spoiler': 'spoiler',
  pre: 'pre',
};

function closeTag(open: OpenTag, text: string, out: Array<{ entity: MessageEntity; codeLanguage?: string }>): void {
  const offset = open.offset;
  const length = text.length - offset;
  if (length === 0) return;
  const plain = PLAIN_ENTITY[open.tag];
  if (plain) {
    out.push({ entity: { type: plain, offset, length } });
    return;
  }
  switch (open.tag) {
    case 'tg-emoji':
      out.push({ entity: { type: 'custom_emoji', offset, length, custom_emoji_id: open.emojiId ?? '' } });
      return;
    case 'blockquote':
      out.push({ entity: { type: open.expandable ? 'expandable_blockquote' : 'blockquote', offset, length } });
      return;
    case 'code':
      out.push({ entity: { type: 'code', offset, length }, codeLanguage: open.language });
      return;
    case 'a': {
      const url = normalizeUrl(open.url ?? text.slice(offset));
      // An inline mention of a user (the Bot API answers with the user it knows; here, the id and the visible text).
      const userId = /^tg:\/\/user\?id=(\d+)$/.exec(url ?? '')?.[1];
      if (userId !== undefined) {
        const user = { id: Number(userId), is_bot: false, first_name: text.slice(offset) };
        out.push({ entity: { type: 'text_mention', offset, length, user } });
      } else if (url !== undefined) out.push({ entity: { type: 'text_link', offset, length, url } });
      return;
    }
  }
}

/**
 * Parses Telegram's HTML parse mode into the visible text and its entities, following TDLib's parser
 * (offsets in UTF-16 code units, error texts as Telegram words them, without the
 * "can't parse entities: " prefix). One deliberate difference: TDLib keeps a bare or unknown `&` as
 * text, this parser refuses it, so a formatter that forgets to escape `&` fails in tests rather than
 * showing "&lt;" to users as "<".
 *
 * @throws EntityParseError for markup Telegram would refuse.
 */
export function parseTelegramHtml(html: string): { text: string; entities: MessageEntity[] } {
  const byteOffset = (index: number): number => Buffer.byteLength(html.slice(0, index), 'utf8');
  const n = html.length;
  const stack: OpenTag[] = [];
  const found: Array<{ entity: MessageEntity; codeLanguage?: string }> = [];
  let text = '';
  let i = 0;
  while (i < n) {
    const c = html.charAt(i);
    if (c === '&') {
      const decoded = decodeHtmlEntity(html, i);
      if (decoded === undefined) {
        fail(`Unsupported HTML entity at byte offset ${byteOffset(i)}; a literal "&" must be written as "&amp;"`);
      }
      text += decoded.char;
      i = decoded.end;
      continue;
    }
    if (c !== '<') {
      text += c;
      i += 1;
      continue;
    }
    const begin = i;
    i += 1;
    if (html.charAt(i) === '/') {
      const open = stack.pop();
      if (open === undefined) fail(`Unexpected end tag at byte offset ${byteOffset(begin)}`);
      i += 1;
      const nameStart = i;
      while (i < n && !isHtmlSpace(html.charAt(i)) && html.charAt(i) !== '>') i += 1;
      const name = html.slice(nameStart, i).toLowerCase();
      while (i < n && isHtmlSpace(html.charAt(i))) i += 1;
      if (html.charAt(i) !== '>') fail(`Unclosed end tag at byte offset ${byteOffset(begin)}`);
      i += 1;
      if (name !== '' && name !== open.tag) {
        fail(`Unmatched end tag at byte offset ${byteOffset(begin)}, expected "</${open.tag}>", found "</${name}>"`);
      }
      closeTag(open, text, found);
      continue;
    }
    const nameStart = i;
    while (i < n && !isHtmlSpace(html.charAt(i)) && html.charAt(i) !== '>') i += 1;
    if (i >= n) fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
    const tag = html.slice(nameStart, i).toLowerCase();
    if (!HTML_TAGS.has(tag)) fail(`Unsupported start tag "${tag}" at byte offset ${byteOffset(begin)}`);
    const open: OpenTag = { tag, offset: text.length, expandable: false };
    while (html.charAt(i) !== '>') {
      while (i < n && isHtmlSpace(html.charAt(i))) i += 1;
      if (i >= n) fail(`Unclosed start tag "${tag}" at byte offset ${byteOffset(begin)}`);
      if (html.charAt(i) === '>') break;
      const attrStart = i;
      while (i < n && !isHtmlSpace(html.charAt(i)) && html.charAt(i) !== '=' && html.charAt(i) !== '>') i += 1;
      const attr = html.slice(attrStart, i).toLowerCase();
      if (attr === '') fail(`Empty attribute name in the tag "${tag}" at byte offset ${byteOffset(begin)}`);
      while (i < n && isHtmlSpace(html.charAt(i))) i += 1;
      if (i >= n) fail(`Unclosed start tag "${tag}" at byte offset ${byteOffset(begin)}`);
      let value = '';
      if (html.charAt(i) === '=') {
        i += 1;
        while (i < n && isHtmlSpace(html.charAt(i))) i += 1;
        if (i >= n) fail(`Unclosed start tag "${tag}" at byte offset ${byteOffset(begin)}`);
        const quote = html.charAt(i);
        if (quote === '"' || quote === "'") {
          i += 1;
          while (i < n && html.charAt(i) !== quote) {
            const decoded = html.charAt(i) === '&' ? decodeHtmlEntity(html, i) : undefined;
            value += decoded?.char ?? html.charAt(i);
            i = decoded?.end ?? i + 1;
          }
          if (i >= n) fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
          i += 1;
        } else {
          const tokenStart = i;
          while (/[A-Za-z0-9.-]/.test(html.charAt(i))) i += 1;
          value = html.slice(tokenStart, i).toLowerCase();
          if (i < n && !isHtmlSpace(html.charAt(i)) && html.charAt(i) !== '>') {
            fail(`Unexpected end of name token at byte offset ${byteOffset(tokenStart)}`);
          }
        }
        if (i >= n) fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
      }
      if (tag === 'a' && attr === 'href') open.url = value;
      else if (tag === 'code' && attr === 'class' && value.startsWith('language-')) open.language = value.slice(9);
      else if (tag === 'span' && attr === 'class') open.spanClass = value;
      else if (tag === 'tg-emoji' && attr === 'emoji-id') open.emojiId = value;
      else if (tag === 'blockquote' && attr === 'expandable') open.expandable = true;
    }
    i += 1;
    if (tag === 'span' && open.spanClass !== 'tg-spoiler') {
      fail(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(begin)}`);
    }
    if (tag === 'tg-emoji' && !/^\d+$/.test(open.emojiId ?? '')) {
      fail(`Custom emoji entity must contain a custom emoji identifier at byte offset ${byteOffset(begin)}`);
    }
    stack.push(open);
  }
  const unclosed = stack.at(-1);
  if (unclosed !== undefined) fail(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);

  // <pre><code class="language-x"> spanning the same text is one pre entity with a language.
  const merged = found.filter((item) => {
    if (item.entity.type !== 'code' || !item.codeLanguage) return true;
    const pre = found.find(
      (other) =>
        other.entity.type === 'pre' &&
        other.entity.offset === item.entity.offset &&
        other.entity.length === item.entity.length,
    );
    if (pre === undefined || pre.entity.type !== 'pre') return true;
    pre.entity.language = item.codeLanguage;
    return false;
  });
  return { text, entities: sortEntities(merged.map((item) => item.entity)) };
}

function sortEntities(entities: MessageEntity[]): MessageEntity[] {
  return [...entities].sort(
    (a, b) =>
      a.offset - b.offset || b.length - a.length || (ENTITY_PRIORITY[a.type] ?? 50) - (ENTITY_PRIORITY[b.type] ?? 50),
  );
}

/** Telegram strips leading and trailing whitespace from texts and captions; entities follow. */
function trimFormatted(text: string, entities: MessageEntity[]): { text: string; entities: MessageEntity[] } {
  const lead = (/^[ \t\r\n]*/.exec(text)?.[0] ?? '').length;
  const end = text.length - (/[ \t\r\n]*$/.exec(text.slice(lead))?.[0] ?? '').length;
  const kept: MessageEntity[] = [];
  for (const entity of entities) {
    const from = Math.max(entity.offset, lead);
    const to = Math.min(entity.offset + entity.length, end);
    if (to > from) kept.push({ ...entity, offset: from - lead, length: to - from });
  }
  return { text: text.slice(lead, end), entities: kept };
}

// ---------------------------------------------------------------------------------------------------
// Request parsing

interface Upload {
  fileName: string;
  data: Uint8Array;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEntity(value: unknown): value is MessageEntity {
  return (
    isRecord(value) &&
    typeof value.type === 'string' &&
    Number.isInteger(value.offset) &&
    Number.isInteger(value.length) &&
    (value.length as number) > 0
  );
}

/**
 * multipart/form-data as grammY writes it (`content-disposition:form-data;name="x";filename=a b.pdf`,
 * unquoted file names; Node's own `Response.formData()` rejects that), and as browsers and curl write it.
 */
function parseMultipart(
  body: Buffer,
  contentType: string,
): { fields: Record<string, string>; uploads: Map<string, Upload> } {
  const malformed = (): ApiFailure => bad("can't parse multipart/form-data body");
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2]?.trim();
  if (!boundary) throw malformed();
  const delimiter = Buffer.from(`--${boundary}`);
  const nextDelimiter = Buffer.from(`\r\n--${boundary}`);
  const fields: Record<string, string> = {};
  const uploads = new Map<string, Upload>();
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw malformed();
  pos += delimiter.length;
  for (;;) {
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break;
    if (body[pos] !== 0x0d || body[pos + 1] !== 0x0a) throw malformed();
    pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) throw malformed();
    const next = body.indexOf(nextDelimiter, headerEnd + 4);
    if (next < 0) throw malformed();
    const headers = body.subarray(pos, headerEnd).toString('utf8').split('\r\n');
    const disposition = headers.find((line) => /^content-disposition\s*:/i.test(line)) ?? '';
    const name =
      /[;:]\s*name="((?:[^"\\]|\\.)*)"/i.exec(disposition)?.[1] ?? /[;:]\s*name=([^;]*)/i.exec(disposition)?.[1];
    if (name === undefined) throw malformed();
    const fileMatch = /;\s*filename=(?:"((?:[^"\\]|\\.)*)"\s*(?:;|$)|(.*)$)/i.exec(disposition);
    const content = body.subarray(headerEnd + 4, next);
    if (fileMatch) {
      const fileName = (fileMatch[1]?.replace(/\\(.)/g, '$1') ?? fileMatch[2] ?? '').trim();
      uploads.set(name, { fileName, data: new Uint8Array(content) });
    } else {
      fields[name] = content.toString('utf8');
    }
    pos = next + nextDelimiter.length;
  }
  return { fields, uploads };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new ApiFailure(413, 'Request Entity Too Large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

type FileInput = { upload: Upload } | { fileId: string };

/** Method parameters from any transport; every getter accepts JSON values and their string forms. */
class Params {
  constructor(
    readonly values: Record<string, unknown>,
    private readonly uploads: Map<string, Upload> = new Map(),
  ) {}

  has(name: string): boolean {
    const value = this.values[name];
    return value !== undefined && value !== null;
  }

  string(name: string): string | undefined {
    const value = this.values[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw bad(`field "${name}" must be of type String`);
  }

  int(name: string): number | undefined {
    const value = this.values[name];
    if (value === undefined || value === null || value === '') return undefined;
    const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
    if (!Number.isSafeInteger(number)) throw bad(`field "${name}" must be of type Integer`);
    return number;
  }

  bool(name: string): boolean | undefined {
    const value = this.values[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (value === true || value === 'true' || value === 1 || value === '1') return true;
    if (value === false || value === 'false' || value === 0 || value === '0') return false;
    throw bad(`field "${name}" must be of type Boolean`);
  }

  /** A JSON-serialised field: objects in JSON bodies, strings in query, urlencoded and multipart bodies. */
  json(name: string, what: string): unknown {
    const value = this.values[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw bad(`can't parse ${what} JSON object`);
    }
  }

  file(name: string): FileInput | undefined {
    const value = this.values[name];
    if (typeof value === 'string' && value.startsWith('attach://')) {
      const upload = this.uploads.get(value.slice('attach://'.length));
      if (upload === undefined) throw bad(`file "${value}" was not attached`);
      return { upload };
    }
    const direct = this.uploads.get(name);
    if (direct !== undefined) return { upload: direct };
    if (typeof value === 'string' && value !== '') return { fileId: value };
    return undefined;
  }

  /** File names of the uploads in the request. */
  uploadNames(): string[] {
    return [...this.uploads.values()].map((u) => u.fileName);
  }

  forLog(): Record<string, unknown> {
    const out: Record<string, unknown> = { ...this.values };
    for (const [key, value] of Object.entries(out)) {
      if (typeof value === 'string' && value.startsWith('attach://')) {
        const upload = this.uploads.get(value.slice('attach://'.length));
        if (upload) out[key] = { upload: upload.fileName, size: upload.data.length };
      }
    }
    for (const [key, upload] of this.uploads) {
      if (!Object.values(this.values).includes(`attach://${key}`)) {
        out[key] = { upload: upload.fileName, size: upload.data.length };
      }
    }
    return out;
  }
}

function imageSize(data: Uint8Array): { width: number; height: number } | undefined {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47)
    return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  const signature = b.toString('latin1', 0, 6);
  if (b.length >= 10 && (signature === 'GIF87a' || signature === 'GIF89a')) {
    return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  }
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') {
    return { width: 512, height: 512 }; // dimensions not decoded
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let pos = 2;
    while (pos + 9 < b.length && b[pos] === 0xff) {
      const marker = b[pos + 1] ?? 0;
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { height: b.readUInt16BE(pos + 5), width: b.readUInt16BE(pos + 7) };
      }
      pos += 2 + b.readUInt16BE(pos + 2);
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// World state

interface TopicState extends FakeTopic {
  iconColor: number;
  createdByBot: boolean;
}

interface ChatState {
  id: number;
  type: 'supergroup' | 'private';
  title: string;
  firstName: string;
  isForum: boolean;
  botIsAdmin: boolean;
  canManageTopics: boolean;
  canPinMessages: boolean;
  /** The bot was removed from the chat: every method naming it answers 403. */
  botKicked: boolean;
  nextMessageId: number;
  /** In send order (Map keeps insertion order). */
  messages: Map<number, StoredMessage>;
  topics: Map<number, TopicState>;
  members: Map<number, User>;
  /** Status of each member; a member without an entry is a plain `member`. */
  roles: Map<number, FakeMemberStatus>;
  /** Ids of the pinned messages (pins are chat-wide, forum topics included). */
  pinned: Set<number>;
}

type StoredFile = FakeFile;

interface MessageInit {
  from: User;
  threadId?: number;
  replyThreadRoot?: number;
  text?: string;
  rawText?: string;
  parseMode?: string;
  entities?: MessageEntity[];
  caption?: string;
  rawCaption?: string;
  captionEntities?: MessageEntity[];
  photo?: StoredFile;
  document?: StoredFile;
  replyToMessageId?: number;
  forwardOrigin?: MessageOrigin;
  replyMarkup?: InlineKeyboardMarkup;
  linkPreview?: Record<string, unknown>;
  service?: FakeServiceEvent;
}

class StoredMessage implements FakeMessage {
  readonly #chat: ChatState;
  readonly message_id: number;
  readonly chatId: number;
  readonly date: number;
  threadId?: number;
  /** Reply-thread root for replies outside forum topics (Telegram reports it as message_thread_id). */
  replyThreadRoot?: number;
  from: User;
  text?: string;
  rawText?: string;
  parseMode?: string;
  entities?: MessageEntity[];
  caption?: string;
  rawCaption?: string;
  captionEntities?: MessageEntity[];
  photo?: StoredFile;
  document?: StoredFile;
  replyToMessageId?: number;
  forwardOrigin?: MessageOrigin;
  replyMarkup?: InlineKeyboardMarkup;
  linkPreview?: Record<string, unknown>;
  reactions: string[] = [];
  editHistory: FakeEdit[] = [];
  editDate?: number;
  isService?: boolean;
  service?: FakeServiceEvent;

  constructor(chat: ChatState, messageId: number, init: MessageInit) {
    this.#chat = chat;
    this.message_id = messageId;
    this.chatId = chat.id;
    this.date = Math.floor(Date.now() / 1000);
    this.from = init.from;
    Object.assign(this, stripUndefined(init));
    if (init.service) this.isService = true;
  }

  get json(): Message {
    return renderMessage(this.#chat, this, false);
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function chatJson(chat: ChatState): Chat {
  if (chat.type === 'private') return { id: chat.id, type: 'private', first_name: chat.firstName };
  return { id: chat.id, type: 'supergroup', title: chat.title, ...(chat.isForum ? { is_forum: true as const } : {}) };
}

function renderMessage(chat: ChatState, msg: StoredMessage, nested: boolean): Message {
  const json: Message = { message_id: msg.message_id, from: msg.from, date: msg.date, chat: chatJson(chat) };
  if (msg.threadId !== undefined) {
    json.message_thread_id = msg.threadId;
    json.is_topic_message = true;
  } else if (msg.replyThreadRoot !== undefined) {
    json.message_thread_id = msg.replyThreadRoot;
  }
  if (!nested) {
    // Inside a topic every message that is not an explicit reply replies to the topic's creation message.
    const targetId =
      msg.replyToMessageId ??
      (msg.threadId !== undefined && msg.threadId !== msg.message_id ? msg.threadId : undefined);
    const target = targetId === undefined ? undefined : chat.messages.get(targetId);
    if (target) json.reply_to_message = { ...renderMessage(chat, target, true), reply_to_message: undefined };
  }
  if (msg.forwardOrigin) json.forward_origin = msg.forwardOrigin;
  if (msg.text !== undefined) json.text = msg.text;
  if (msg.entities?.length) json.entities = msg.entities;
  if (msg.photo) {
    const { file_id, file_unique_id, size, width = 0, height = 0 } = msg.photo;
    json.photo = [{ file_id, file_unique_id, file_size: size, width, height }];
  }
  if (msg.document) {
    const { file_id, file_unique_id, size, fileName, mimeType } = msg.document;
    json.document = { file_id, file_unique_id, file_size: size, file_name: fileName, mime_type: mimeType };
  }
  if (msg.caption !== undefined) json.caption = msg.caption;
  if (msg.captionEntities?.length) json.caption_entities = msg.captionEntities;
  if (msg.replyMarkup) json.reply_markup = msg.replyMarkup;
  if (msg.linkPreview && msg.linkPreview.is_disabled !== true) json.link_preview_options = msg.linkPreview;
  if (msg.editDate !== undefined) json.edit_date = msg.editDate;
  const service = msg.service;
  if (service?.kind === 'forum_topic_created') {
    json.forum_topic_created = {
      name: service.name,
      icon_color: service.iconColor,
      ...(service.iconCustomEmojiId ? { icon_custom_emoji_id: service.iconCustomEmojiId } : {}),
    };
  } else if (service?.kind === 'forum_topic_edited') {
    json.forum_topic_edited = stripUndefined({
      name: service.name,
      icon_custom_emoji_id: service.iconCustomEmojiId,
    });
  } else if (service?.kind === 'forum_topic_closed') {
    json.forum_topic_closed = {};
  } else if (service?.kind === 'forum_topic_reopened') {
    json.forum_topic_reopened = {};
  } else if (service?.kind === 'pinned_message') {
    // As the Bot API server does: the pinned message without its reply; once it is deleted, an
    // InaccessibleMessage (date 0), except inside a reply_to_message, where the field is left out.
    const pinned = chat.messages.get(service.messageId);
    if (pinned) json.pinned_message = renderMessage(chat, pinned, true);
    else if (!nested) json.pinned_message = { chat: chatJson(chat), message_id: service.messageId, date: 0 };
  }
  return json;
}

type QueuedUpdate = { update_id: number } & Record<string, unknown>;

function updateType(update: QueuedUpdate): string {
  return Object.keys(update).find((key) => key !== 'update_id') ?? '';
}

interface CallContext {
  /** Aborted when the client goes away before the answer. */
  signal: AbortSignal;
}

type Handler = (p: Params, ctx: CallContext) => unknown;

interface Webhook {
  url: string;
  secret?: string;
  maxConnections: number;
  lastErrorDate?: number;
  lastErrorMessage?: string;
}

interface LongPoll {
  wake(): void;
  end(): void;
  terminate(): void;
}

type Outcome =
  { kind: 'json'; status: number; body: unknown } | { kind: 'html'; status: number; body: string } | { kind: 'drop' };

interface FormattedText {
  text: string;
  raw: string;
  parseMode?: string;
  entities?: MessageEntity[];
}

// ---------------------------------------------------------------------------------------------------
// The fake

/**
 * Starts a {@link FakeTelegram} on 127.0.0.1 with a free port. Always `close()` it (e.g. in `afterEach`).
 */
export async function startFakeTelegram(options: FakeTelegramOptions): Promise<FakeTelegram> {
  const fake = new FakeTelegram(options);
  await fake.listen();
  return fake;
}

/**
 * A fake Telegram Bot API server with its own world. Point grammY at it with
 * `new Bot(token, { botInfo: fake.botInfo, client: { apiRoot: fake.url } })`.
 *
 * Simplifications (everything else follows the Bot API docs):
 * - parse modes: HTML is parsed as Telegram does (stricter about bare `&`, see {@link parseTelegramHtml});
 *   MarkdownV2 and Markdown are accepted but the text is kept verbatim, without entities. Plain texts get
 *   no auto-detected url/mention/hashtag entities.
 * - photos keep the uploaded bytes and get one PhotoSize (Telegram re-encodes and makes several); a photo
 *   upload that is not PNG/JPEG/GIF/WebP is refused with IMAGE_PROCESS_FAILED; files are never fetched
 *   from URLs.
 * - webhooks: http:// loopback URLs only, one update at a time in order, each tried `webhookRetry.attempts`
 *   times and then dropped (Telegram keeps retrying for up to 24 h); a method in the webhook response
 *   body is executed as Telegram does.
 * - error descriptions not quoted by the brief (topic rights, TOPIC_NAME_INVALID, …) are best guesses at
 *   Telegram's wording; code should branch on `error_code`, not on these.
 * - service messages the bot causes: like Telegram, the fake queues a `message` update for those of the
 *   bot's own pins and topic closes and reopens; unlike Telegram, not for the topics it creates or renames.
 */
export class FakeTelegram {
  /** Every Bot API method request, in arrival order (file downloads are not recorded). */
  readonly calls: FakeCall[] = [];

  private readonly token: string;
  private readonly botUser: UserFromGetMe;
  private readonly webhookRetry: { attempts: number; delayMs: number };
  private readonly server: http.Server;
  private readonly methods = new Map<string, { name: string; run: Handler }>();
  private readonly chats = new Map<number, ChatState>();
  private readonly files = new Map<string, StoredFile>();
  private readonly filesByPath = new Map<string, StoredFile>();
  private stallFiles = false;
  private readonly callbackQueries = new Map<string, FakeCallbackAnswer>();
  private readonly commandSets = new Map<string, BotCommand[]>();
  private readonly faults: Array<{ method: string; fault: FakeFault; remaining: number }> = [];
  private readonly refusals: Array<{ match: string; description: string }> = [];
  private readonly sleeps = new Set<() => void>();
  private pending: QueuedUpdate[] = [];
  private nextUpdateId = 100_000_001;
  private nextFileNumber = 1;
  private allowedUpdates: string[] | undefined;
  private longPoll: LongPoll | undefined;
  private wakeScheduled: NodeJS.Immediate | undefined;
  private webhook: Webhook | undefined;
  private webhookRequest: http.ClientRequest | undefined;
  private pumping = false;
  private flood: { perChatPerMinute: number; globalPerSecond?: number } | undefined;
  private floodByChat = new Map<number, number[]>();
  private floodGlobal: number[] = [];
  private closed = false;
  private baseUrl = '';

  /** Use {@link startFakeTelegram}. */
  constructor(options: FakeTelegramOptions) {
    this.token = options.token;
    const idFromToken = Number(/^(\d+):/.exec(options.token)?.[1] ?? 1_000_001);
    const bot = options.bot ?? { id: idFromToken, username: 'fake_bot', first_name: 'Fake Bot' };
    this.botUser = {
      id: bot.id,
      is_bot: true,
      first_name: bot.first_name,
      username: bot.username,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
    };
    this.webhookRetry = options.webhookRetry ?? { attempts: 5, delayMs: 50 };
    this.server = http.createServer((req, res) => {
      void this.handle(req, res);
    });
    this.server.on('clientError', (_error, socket) => {
      socket.destroy();
    });
    this.registerMethods();
  }

  /** Base URL, e.g. `http://127.0.0.1:41234`; use it as grammY's `client.apiRoot`. */
  get url(): string {
    return this.baseUrl;
  }

  /** The bot as `getMe` returns it; pass it as grammY's `botInfo` so no `getMe` call is needed. */
  get botInfo(): UserFromGetMe {
    return { ...this.botUser };
  }

  /** @internal Binds the port; called by {@link startFakeTelegram}. */
  async listen(): Promise<void> {
    this.baseUrl = await listenOnLoopback(this.server);
  }

  /** Stops the server: pending long polls are answered with no updates at once, webhooks stop. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.longPoll?.end();
    if (this.wakeScheduled) clearImmediate(this.wakeScheduled);
    for (const cancel of [...this.sleeps]) cancel();
    this.webhookRequest?.destroy();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
      setImmediate(() => this.server.closeAllConnections());
    });
  }

  // --- world set-up ------------------------------------------------------------------------------

  /**
   * Adds a supergroup the bot is a member of; calling it again for the same id changes its settings
   * and keeps its history (and adds a kicked bot back). Defaults: a forum, the bot an admin with
   * can_manage_topics and can_pin_messages. Revoke a right with `{ id, canManageTopics: false }`.
   */
  addSupergroup(opts: {
    id: number;
    title?: string;
    isForum?: boolean;
    botIsAdmin?: boolean;
    canManageTopics?: boolean;
    canPinMessages?: boolean;
  }): void {
    const existing = this.chats.get(opts.id);
    if (existing) {
      existing.title = opts.title ?? existing.title;
      existing.isForum = opts.isForum ?? existing.isForum;
      existing.botIsAdmin = opts.botIsAdmin ?? existing.botIsAdmin;
      existing.canManageTopics = opts.canManageTopics ?? existing.canManageTopics;
      existing.canPinMessages = opts.canPinMessages ?? existing.canPinMessages;
      existing.botKicked = false;
      return;
    }
    this.chats.set(opts.id, {
      ...this.emptyChat(opts.id, 'supergroup'),
      title: opts.title ?? 'Fake forum',
      isForum: opts.isForum ?? true,
      botIsAdmin: opts.botIsAdmin ?? true,
      canManageTopics: opts.canManageTopics ?? true,
      canPinMessages: opts.canPinMessages ?? true,
    });
  }

  /**
   * Removes the bot from a supergroup, as an admin kicking it would: from then on every method naming the
   * chat answers 403 "Forbidden: bot was kicked from the supergroup chat", as Telegram does. `addSupergroup`
   * with the same id adds it back.
   */
  kickBot(chatId: number): void {
    this.chatOrThrow(chatId).botKicked = true;
  }

  /**
   * Adds a private chat between the bot and user `id`. It has topics while the bot's topic mode is on
   * ({@link setBotTopicsEnabled}); the rules for them are in telegram-topic-rules.ts.
   */
  addPrivateChat(opts: { id: number; firstName: string }): void {
    const chat = { ...this.emptyChat(opts.id, 'private'), firstName: opts.firstName };
    chat.members.set(opts.id, { id: opts.id, is_bot: false, first_name: opts.firstName });
    this.chats.set(opts.id, chat);
  }

  /**
   * Changes the bot's settings as @BotFather does; `getMe` shows them: privacy mode off
   * (`can_read_all_group_messages`) and topics in private chats (`has_topics_enabled`, Bot API 9.3).
   */
  setBotSettings(settings: { canReadAllGroupMessages?: boolean; hasTopicsEnabled?: boolean }): void {
    if (settings.canReadAllGroupMessages !== undefined)
      this.botUser.can_read_all_group_messages = settings.canReadAllGroupMessages;
    if (settings.hasTopicsEnabled !== undefined) this.setBotTopicsEnabled(settings.hasTopicsEnabled);
  }

  /**
   * Turns the bot's forum topic mode in private chats on or off, as its owner does in @BotFather (Bot Settings →
   * Threaded Mode): getMe's `has_topics_enabled`. `usersCreateTopics` (getMe's `allows_users_to_create_topics`,
   * default: the same as `on`) says whether users may create topics in their chat with the bot too.
   */
  setBotTopicsEnabled(on: boolean, usersCreateTopics = on): void {
    this.botUser.has_topics_enabled = on;
    this.botUser.allows_users_to_create_topics = on && usersCreateTopics;
  }

  // --- what happened -----------------------------------------------------------------------------

  /** All topics ever created in the chat, deleted ones included (`deleted: true`). */
  topics(chatId: number): FakeTopic[] {
    return [...this.chatOrThrow(chatId).topics.values()].map(
      ({ threadId, name, createdAt, iconColor, iconCustomEmojiId, deleted, closed }) =>
        stripUndefined({ threadId, name, createdAt, iconColor, iconCustomEmojiId, deleted, closed }) as FakeTopic,
    );
  }

  /**
   * Messages of a chat in send order, deleted ones left out. Service messages (topic created, closed, …)
   * are included only with `includeService`.
   */
  messages(
    chatId: number,
    filter: { threadId?: number; fromBot?: boolean; includeService?: boolean } = {},
  ): FakeMessage[] {
    return [...this.chatOrThrow(chatId).messages.values()].filter(
      (m) =>
        (filter.includeService || !m.isService) &&
        (filter.threadId === undefined || m.threadId === filter.threadId) &&
        (filter.fromBot === undefined || (m.from.id === this.botUser.id) === filter.fromBot),
    );
  }

  /** One message, or undefined when it never existed or was deleted. */
  message(chatId: number, messageId: number): FakeMessage | undefined {
    return this.chatOrThrow(chatId).messages.get(messageId);
  }

  /**
   * Ids of the chat's pinned messages, the most recent by sending date first (the first one is what
   * getChat shows as `pinned_message`). Pins are chat-wide: a pin in a forum topic is listed too.
   */
  pinnedMessages(chatId: number): number[] {
    return pinnedNewestFirst(this.chatOrThrow(chatId));
  }

  /** What the bot answered to a callback query queued by {@link userPressesButton}. */
  callbackAnswer(callbackQueryId: string): FakeCallbackAnswer | undefined {
    const answer = this.callbackQueries.get(callbackQueryId);
    return answer && { ...answer };
  }

  /** Commands set with setMyCommands for a scope (default scope) and language ('' = all languages). */
  commands(
    scope: { type: string; chat_id?: number; user_id?: number } = { type: 'default' },
    languageCode = '',
  ): BotCommand[] {
    return [...(this.commandSets.get(commandKey(scope, languageCode)) ?? [])];
  }

  /** Updates queued and not yet confirmed (getUpdates offset) or delivered (webhook). */
  pendingUpdates(): unknown[] {
    return this.pending.map((update) => ({ ...update }));
  }

  // --- what users do -----------------------------------------------------------------------------

  /**
   * A user posts in a chat (in topic `threadId`, or General); queues a `message` update.
   * Throws when the chat, the topic or the replied-to message does not exist.
   */
  userSends(
    chatId: number,
    msg: {
      from: FakeUserInput;
      threadId?: number;
      text?: string;
      entities?: unknown[];
      photo?: { data: Uint8Array };
      document?: { data: Uint8Array; fileName: string; mimeType?: string };
      caption?: string;
      replyTo?: number;
      /** The message is a forward of this origin (e.g. `{ type: 'user', date, sender_user }`). */
      forwardOrigin?: MessageOrigin;
    },
  ): FakeMessage {
    const chat = this.chatOrThrow(chatId);
    if (msg.text === undefined && !msg.photo && !msg.document)
      throw new Error('userSends needs text, photo or document');
    const from = userJson(msg.from);
    chat.members.set(from.id, from);
    let threadId = msg.threadId;
    if (threadId !== undefined) {
      const topic = chat.topics.get(threadId);
      if (!topic || topic.deleted) throw new Error(`chat ${chatId} has no topic ${threadId}`);
    }
    let replyThreadRoot: number | undefined;
    if (msg.replyTo !== undefined) {
      const target = chat.messages.get(msg.replyTo);
      if (!target) throw new Error(`chat ${chatId} has no message ${msg.replyTo}`);
      threadId ??= target.threadId;
      if (threadId === undefined && chat.type === 'supergroup')
        replyThreadRoot = target.replyThreadRoot ?? target.message_id;
    }
    const role = chat.roles.get(from.id);
    if (threadId !== undefined && chat.topics.get(threadId)?.closed && role !== 'creator' && role !== 'administrator') {
      throw new Error(`topic ${threadId} in chat ${chatId} is closed: only administrators can post in it`);
    }
    const entities = msg.entities?.filter(isEntity);
    const stored = this.addMessage(chat, {
      from,
      threadId,
      replyThreadRoot,
      replyToMessageId: msg.replyTo,
      forwardOrigin: msg.forwardOrigin,
      ...(msg.text !== undefined ? { text: msg.text, rawText: msg.text, entities } : {}),
      ...(msg.caption !== undefined ? { caption: msg.caption, rawCaption: msg.caption } : {}),
      photo: msg.photo && this.storeFile('photo', msg.photo.data),
      document:
        msg.document && this.storeFile('document', msg.document.data, msg.document.fileName, msg.document.mimeType),
    });
    this.enqueue({ message: stored.json });
    return stored;
  }

  /** A user edits their text message; queues an `edited_message` update. */
  userEdits(chatId: number, messageId: number, newText: string): void {
    const msg = this.chatOrThrow(chatId).messages.get(messageId);
    if (!msg || msg.from.id === this.botUser.id || msg.text === undefined) {
      throw new Error(`message ${messageId} in chat ${chatId} is not a user's text message`);
    }
    msg.editHistory.push(snapshot(msg));
    msg.text = newText;
    msg.rawText = newText;
    msg.entities = undefined;
    msg.editDate = Math.floor(Date.now() / 1000);
    this.enqueue({ edited_message: msg.json });
  }

  /**
   * A user presses an inline button with `callback_data` `data`; queues a `callback_query` update and
   * returns its id. Throws when the message has no such button, unless `anyData`: then `data` is sent as it
   * is, as from a button the message no longer carries (a client showing an older version of it) or from a
   * crafted request; the bot must not trust it.
   */
  userPressesButton(
    chatId: number,
    messageId: number,
    data: string,
    from: FakeUserInput,
    options: { anyData?: boolean } = {},
  ): string {
    const msg = this.chatOrThrow(chatId).messages.get(messageId);
    const hasButton = msg?.replyMarkup?.inline_keyboard.some((row) =>
      row.some((button) => 'callback_data' in button && button.callback_data === data),
    );
    if (!msg || (!hasButton && !options.anyData)) {
      throw new Error(`message ${messageId} in chat ${chatId} has no button with data "${data}"`);
    }
    const id = `${randomInt(1_000_000_000, 2_000_000_000)}${randomInt(100_000_000, 999_999_999)}`;
    this.callbackQueries.set(id, { answered: false });
    this.enqueue({
      callback_query: { id, from: userJson(from), message: msg.json, chat_instance: `-${Math.abs(chatId)}77`, data },
    });
    return id;
  }

  /**
   * A user's status in a supergroup changes (promoted, demoted, joined, left, banned), done by `by` (default:
   * the user themself). Queues a `chat_member` update when the status changed, as Telegram does for bots that
   * are administrators of the chat and list `chat_member` in allowed_updates.
   */
  setMemberStatus(chatId: number, user: FakeUserInput, status: FakeMemberStatus, by?: FakeUserInput): void {
    const chat = this.chatOrThrow(chatId);
    if (chat.type !== 'supergroup') throw new Error(`chat ${chatId} is not a supergroup`);
    const member = userJson(user);
    const old = chat.roles.get(member.id) ?? (chat.members.has(member.id) ? 'member' : 'left');
    chat.members.set(member.id, member);
    chat.roles.set(member.id, status);
    if (old === status || !chat.botIsAdmin) return;
    this.enqueue({
      chat_member: {
        chat: chatJson(chat),
        from: userJson(by ?? user),
        date: Math.floor(Date.now() / 1000),
        old_chat_member: this.memberJson(chat, member, old),
        new_chat_member: this.memberJson(chat, member, status),
      },
    });
  }

  /** An admin deletes a topic in the app: the topic and all its messages are gone (no update is sent). */
  deleteTopic(chatId: number, threadId: number): void {
    const chat = this.chatOrThrow(chatId);
    const topic = chat.topics.get(threadId);
    if (!topic || topic.deleted) throw new Error(`chat ${chatId} has no topic ${threadId}`);
    this.removeTopic(chat, topic);
  }

  /**
   * A user creates a topic in the app: queues its `forum_topic_created` service message as a `message`
   * update and returns the topic's thread id. The bot did not create it, so closing, reopening or renaming
   * it needs can_manage_topics. In a private chat the user may create topics while the bot's settings let them
   * ({@link setBotTopicsEnabled}). Throws when the chat has no topics, or its user may not create them.
   */
  userCreatesTopic(chatId: number, name: string, by: FakeUserInput): number {
    const chat = this.chatOrThrow(chatId);
    const refusal = userCreationRefusal(chat, this.botUser);
    if (refusal !== undefined) throw new Error(`chat ${chatId} ${refusal}`);
    const from = userJson(by);
    chat.members.set(from.id, from);
    const service = this.openTopic(chat, from, name, TOPIC_ICON_COLORS[0] ?? 0, undefined);
    this.enqueue({ message: service.json });
    return service.message_id;
  }

  /**
   * A user (an admin, or the topic's creator) closes a topic in the app: queues the `forum_topic_closed`
   * service message as a `message` update and returns it. From then on only administrators post in the
   * topic (`userSends` throws for others; the bot needs can_manage_topics). Throws when the topic does
   * not exist or is closed already.
   */
  userClosesTopic(chatId: number, threadId: number, by: FakeUserInput): FakeMessage {
    return this.userTogglesTopic(chatId, threadId, by, true);
  }

  /** A user reopens a closed topic in the app; queues and returns the `forum_topic_reopened` service message. */
  userReopensTopic(chatId: number, threadId: number, by: FakeUserInput): FakeMessage {
    return this.userTogglesTopic(chatId, threadId, by, false);
  }

  /**
   * A user (an admin) pins a message in the app: queues the `pinned_message` service message, posted
   * where the pinned message is (its topic, or General), and returns it. Pinning a pinned message changes
   * nothing and returns undefined. Throws for a missing or service message.
   */
  userPins(chatId: number, messageId: number, by: FakeUserInput): FakeMessage | undefined {
    const chat = this.chatOrThrow(chatId);
    const msg = chat.messages.get(messageId);
    if (!msg || msg.isService) throw new Error(`chat ${chatId} has no message ${messageId} that can be pinned`);
    if (chat.pinned.has(messageId)) return undefined;
    const from = userJson(by);
    chat.members.set(from.id, from);
    return this.pin(chat, msg, from);
  }

  /** A user (an admin) unpins a message in the app; Telegram sends bots no update for that. */
  userUnpins(chatId: number, messageId: number): void {
    if (!this.chatOrThrow(chatId).pinned.delete(messageId)) {
      throw new Error(`message ${messageId} in chat ${chatId} is not pinned`);
    }
  }

  /**
   * A user (its author or an admin) deletes a message in the app; a pinned message is unpinned with it.
   * Telegram sends bots no update for a deletion. Throws for a missing message or a topic's first message
   * (use {@link deleteTopic}).
   */
  userDeletes(chatId: number, messageId: number): void {
    const chat = this.chatOrThrow(chatId);
    const msg = chat.messages.get(messageId);
    if (!msg) throw new Error(`chat ${chatId} has no message ${messageId}`);
    if (msg.service?.kind === 'forum_topic_created') throw new Error('delete a topic with deleteTopic');
    chat.messages.delete(messageId);
    chat.pinned.delete(messageId);
  }

  private userTogglesTopic(chatId: number, threadId: number, by: FakeUserInput, closed: boolean): FakeMessage {
    const chat = this.chatOrThrow(chatId);
    const topic = chat.topics.get(threadId);
    if (!topic || topic.deleted) throw new Error(`chat ${chatId} has no topic ${threadId}`);
    if (chat.type === 'private') throw new Error(`topics of the private chat ${chatId} cannot be closed or reopened`);
    if (topic.closed === closed) throw new Error(`topic ${threadId} is ${closed ? 'closed' : 'open'} already`);
    const from = userJson(by);
    chat.members.set(from.id, from);
    return this.toggleTopic(chat, topic, closed, from);
  }

  // --- faults ------------------------------------------------------------------------------------

  /**
   * Makes the next `count` calls of `method` fail before they have any effect. `'*'` matches every
   * method except getUpdates (name getUpdates explicitly to fail polling). `{ status: 502 }` answers
   * with nginx's HTML page, as Telegram's front end does; `{ delayMs }` answers normally but late;
   * `{ status: 400, description }` uses the description verbatim; `{ applyThenDrop: true }` is the one
   * fault that has its effect: the call is carried out, then the connection is dropped unanswered (a lost answer).
   */
  failNext(method: string, fault: FakeFault, count = 1): void {
    this.faults.push({ method: method === '*' ? '*' : method.toLowerCase(), fault, remaining: count });
  }

  /** Faults queued by failNext for `method` (by its own name, not '*') that no call has taken yet. */
  queuedFaults(method: string): number {
    const lower = method.toLowerCase();
    return this.faults.filter((f) => f.method === lower).reduce((n, f) => n + f.remaining, 0);
  }

  /**
   * Makes Telegram refuse, every time, any send (sendMessage, sendPhoto, sendDocument, copyMessage) whose
   * text, caption or uploaded file name contains `match`: the answer is `400` with `description` verbatim
   * (e.g. `Bad Request: message is too long`), as Telegram answers a message it will never take.
   */
  refuse(match: string, description: string): void {
    this.refusals.push({ match, description });
  }

  /**
   * Turns flood control on (or off with undefined): calls that post a message (sendMessage, sendPhoto,
   * sendDocument, copyMessage) or a service message (createForumTopic, editForumTopic, closeForumTopic,
   * reopenForumTopic, pinChatMessage) beyond `perChatPerMinute` in one chat within a rolling minute, or
   * beyond `globalPerSecond` within a rolling second, get 429 with `retry_after` the whole seconds until a
   * slot frees.
   */
  setFloodLimit(limit: { perChatPerMinute: number; globalPerSecond?: number } | undefined): void {
    this.flood = limit;
    this.floodByChat = new Map();
    this.floodGlobal = [];
  }

  // --- HTTP --------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname.startsWith('/file/')) {
        this.serveFile(url.pathname, res);
        return;
      }
      const match = /^\/bot([^/]*)\/([^/]+)$/.exec(url.pathname);
      if (!match) {
        writeJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
        return;
      }
      const requested = safeDecode(match[2] ?? '');
      const method = this.methods.get(requested.toLowerCase());
      const call: FakeCall = { method: method?.name ?? requested, params: {}, at: Date.now(), status: 0, via: 'http' };
      this.calls.push(call);
      if (safeDecode(match[1] ?? '') !== this.token) {
        call.status = 401;
        writeJson(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
        return;
      }
      let params: Params;
      try {
        params = await this.readParams(req, url);
      } catch (error) {
        const failure = error instanceof ApiFailure ? error : bad("can't parse request body");
        call.status = failure.code;
        res.setHeader('connection', 'close');
        writeJson(res, failure.code, failure.toJSON());
        return;
      }
      call.params = params.forLog();
      if (!method) {
        call.status = 404;
        writeJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
        return;
      }
      const abort = new AbortController();
      res.on('close', () => {
        if (!res.writableFinished) abort.abort();
      });
      const outcome = await this.execute(method, params, { signal: abort.signal }, true);
      if (outcome.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      call.status = outcome.status;
      if (outcome.kind === 'html') writeHtml(res, outcome.status, outcome.body);
      else writeJson(res, outcome.status, outcome.body);
    } catch (error) {
      writeJson(res, 500, {
        ok: false,
        error_code: 500,
        description: `Internal Server Error (fake: ${String(error)})`,
      });
    }
  }

  private async readParams(req: IncomingMessage, url: URL): Promise<Params> {
    const values: Record<string, unknown> = Object.fromEntries(url.searchParams);
    const body = await readBody(req);
    const contentType = req.headers['content-type'] ?? '';
    const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    if (body.length === 0) return new Params(values);
    if (type === 'application/json') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        throw bad("can't parse JSON object");
      }
      if (!isRecord(parsed)) throw bad("can't parse JSON object");
      return new Params({ ...values, ...parsed });
    }
    if (type === 'application/x-www-form-urlencoded') {
      return new Params({ ...values, ...Object.fromEntries(new URLSearchParams(body.toString('utf8'))) });
    }
    if (type === 'multipart/form-data') {
      const { fields, uploads } = parseMultipart(body, contentType);
      return new Params({ ...values, ...fields }, uploads);
    }
    return new Params(values);
  }

  /**
   * Makes file downloads stall (or serve normally again with false): the headers and the first half of the
   * file are sent, then nothing more, and the connection stays open until the client gives up.
   */
  stallFileDownloads(stall = true): void {
    this.stallFiles = stall;
  }

  private serveFile(pathname: string, res: ServerResponse): void {
    const match = /^\/file\/bot([^/]*)\/(.+)$/.exec(pathname);
    if (match && safeDecode(match[1] ?? '') !== this.token) {
      writeJson(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
      return;
    }
    const file = match ? this.filesByPath.get(safeDecode(match[2] ?? '')) : undefined;
    if (!file) {
      writeJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    res.writeHead(200, { 'content-type': file.mimeType ?? 'application/octet-stream', 'content-length': file.size });
    if (this.stallFiles) {
      res.write(file.data.subarray(0, Math.floor(file.data.length / 2)));
      return;
    }
    res.end(file.data);
  }

  private async execute(
    method: { name: string; run: Handler },
    p: Params,
    ctx: CallContext,
    withFaults: boolean,
  ): Promise<Outcome> {
    let dropAfter = false;
    try {
      const fault = withFaults ? this.takeFault(method.name) : undefined;
      if (fault) {
        if ('applyThenDrop' in fault) {
          dropAfter = true;
        } else if ('delayMs' in fault) {
          await this.sleep(fault.delayMs);
          if (this.closed) return { kind: 'drop' };
        } else if ('dropConnection' in fault) {
          return { kind: 'drop' };
        } else if (fault.status === 429) {
          throw tooManyRequests(fault.retryAfter);
        } else if (fault.status === 400) {
          throw new ApiFailure(400, fault.description);
        } else if (fault.status === 502) {
          return { kind: 'html', status: 502, body: BAD_GATEWAY_HTML };
        } else {
          throw new ApiFailure(500, 'Internal Server Error');
        }
      }
      this.checkFlood(method.name, p);
      this.checkRefusals(method.name, p);
      const result: unknown = await method.run(p, ctx);
      if (dropAfter) return { kind: 'drop' };
      if (result instanceof Described) {
        return {
          kind: 'json',
          status: 200,
          body: { ok: true, result: result.result, description: result.description },
        };
      }
      return { kind: 'json', status: 200, body: { ok: true, result } };
    } catch (error) {
      if (error instanceof ApiFailure) return { kind: 'json', status: error.code, body: error.toJSON() };
      const description = `Internal Server Error (fake: ${error instanceof Error ? error.message : String(error)})`;
      return { kind: 'json', status: 500, body: { ok: false, error_code: 500, description } };
    }
  }

  private takeFault(method: string): FakeFault | undefined {
    const lower = method.toLowerCase();
    const index = this.faults.findIndex((f) => f.method === lower || (f.method === '*' && lower !== 'getupdates'));
    const entry = this.faults[index];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.faults.splice(index, 1);
    return entry.fault;
  }

  private checkRefusals(method: string, p: Params): void {
    if (!REFUSABLE_METHODS.has(method)) return;
    const values = [p.values.text, p.values.caption, ...p.uploadNames()].filter(
      (v): v is string => typeof v === 'string',
    );
    const refusal = this.refusals.find((r) => values.some((v) => v.includes(r.match)));
    if (refusal) throw new ApiFailure(400, refusal.description);
  }

  private checkFlood(method: string, p: Params): void {
    if (!this.flood || !SEND_METHODS.has(method)) return;
    const now = Date.now();
    const rawChatId = Number(p.values.chat_id);
    const chatId = Number.isSafeInteger(rawChatId) ? rawChatId : undefined;
    const perChat = (chatId === undefined ? [] : (this.floodByChat.get(chatId) ?? [])).filter((t) => t > now - 60_000);
    this.floodGlobal = this.floodGlobal.filter((t) => t > now - 1_000);
    let waitMs = 0;
    const oldestInChat = perChat[0];
    if (oldestInChat !== undefined && perChat.length >= this.flood.perChatPerMinute)
      waitMs = oldestInChat + 60_000 - now;
    const oldestGlobal = this.floodGlobal[0];
    const globalLimit = this.flood.globalPerSecond;
    if (globalLimit !== undefined && oldestGlobal !== undefined && this.floodGlobal.length >= globalLimit) {
      waitMs = Math.max(waitMs, oldestGlobal + 1_000 - now);
    }
    if (waitMs > 0) throw tooManyRequests(Math.max(1, Math.ceil(waitMs / 1000)));
    perChat.push(now);
    if (chatId !== undefined) this.floodByChat.set(chatId, perChat);
    this.floodGlobal.push(now);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = (): void => {
        clearTimeout(timer);
        this.sleeps.delete(cancel);
        resolve();
      };
      const timer = setTimeout(cancel, ms);
      this.sleeps.add(cancel);
    });
  }

  // --- updates -----------------------------------------------------------------------------------

  private enqueue(content: Record<string, unknown>): void {
    const update: QueuedUpdate = { update_id: this.nextUpdateId++, ...content };
    if (!this.isAllowed(update)) return;
    this.pending.push(update);
    if (this.webhook) {
      void this.pumpWebhook();
    } else if (this.longPoll && !this.wakeScheduled) {
      // Wake on the next turn so that several synchronous userSends arrive as one batch.
      this.wakeScheduled = setImmediate(() => {
        this.wakeScheduled = undefined;
        this.longPoll?.wake();
      });
    }
  }

  private isAllowed(update: QueuedUpdate): boolean {
    const type = updateType(update);
    return this.allowedUpdates === undefined ? !OPT_IN_UPDATES.has(type) : this.allowedUpdates.includes(type);
  }

  private deliverable(limit: number): QueuedUpdate[] {
    this.pending = this.pending.filter((update) => this.isAllowed(update));
    return this.pending.slice(0, limit);
  }

  private readAllowedUpdates(p: Params): void {
    const allowed = p.json('allowed_updates', 'allowed updates');
    if (allowed === undefined) return;
    if (!Array.isArray(allowed) || !allowed.every((t) => typeof t === 'string')) {
      throw bad("can't parse allowed updates JSON object");
    }
    this.allowedUpdates = allowed.length === 0 ? undefined : allowed;
  }

  private async getUpdates(p: Params, ctx: CallContext): Promise<unknown> {
    if (this.webhook) {
      throw new ApiFailure(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    }
    const offset = p.int('offset');
    const limit = Math.min(100, Math.max(1, p.int('limit') ?? 100));
    const timeout = Math.max(0, p.int('timeout') ?? 0);
    this.readAllowedUpdates(p);
    if (offset !== undefined && offset > 0) this.pending = this.pending.filter((u) => u.update_id >= offset);
    if (offset !== undefined && offset < 0) this.pending = this.pending.slice(offset);
    this.longPoll?.terminate();
    const ready = this.deliverable(limit);
    if (ready.length > 0 || timeout === 0 || this.closed) return ready;
    return new Promise((resolve, reject) => {
      let finished = false;
      const finish = (settle: () => void): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', onAbort);
        if (this.longPoll === poll) this.longPoll = undefined;
        settle();
      };
      const poll: LongPoll = {
        wake: () => {
          const batch = this.deliverable(limit);
          if (batch.length > 0) finish(() => resolve(batch));
        },
        end: () => finish(() => resolve([])),
        terminate: () =>
          finish(() =>
            reject(
              new ApiFailure(
                409,
                'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
              ),
            ),
          ),
      };
      const onAbort = (): void => poll.end();
      const timer = setTimeout(() => poll.end(), timeout * 1000);
      ctx.signal.addEventListener('abort', onAbort);
      this.longPoll = poll;
    });
  }

  private setWebhook(p: Params): Described {
    const url = p.string('url') ?? '';
    if (url === '') return this.deleteWebhook(p);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw bad('bad webhook: invalid URL');
    }
    if (parsed.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname)) {
      throw bad('bad webhook: the fake only delivers to http:// loopback URLs (127.0.0.1, localhost, [::1])');
    }
    const secret = p.string('secret_token');
    if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
      throw bad('secret token contains unallowed characters');
    }
    this.readAllowedUpdates(p);
    if (p.bool('drop_pending_updates')) this.pending = [];
    this.webhook = { url, secret, maxConnections: p.int('max_connections') ?? 40 };
    this.longPoll?.terminate();
    void this.pumpWebhook();
    return new Described(true, 'Webhook was set');
  }

  private deleteWebhook(p: Params): Described {
    const wasSet = this.webhook !== undefined;
    this.webhook = undefined;
    if (p.bool('drop_pending_updates')) this.pending = [];
    return new Described(true, wasSet ? 'Webhook was deleted' : 'Webhook is already deleted');
  }

  private getWebhookInfo(): unknown {
    const hook = this.webhook;
    return stripUndefined({
      url: hook?.url ?? '',
      has_custom_certificate: false,
      pending_update_count: this.pending.length,
      ip_address: hook ? '127.0.0.1' : undefined,
      last_error_date: hook?.lastErrorDate,
      last_error_message: hook?.lastErrorMessage,
      max_connections: hook?.maxConnections,
      allowed_updates: this.allowedUpdates,
    });
  }

  /** Delivers queued updates one at a time, in order, while a webhook is set. Never rejects. */
  private async pumpWebhook(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        const hook = this.webhook;
        const [update] = this.deliverable(1);
        if (this.closed || !hook || !update) return;
        let delivered = false;
        for (let attempt = 1; attempt <= this.webhookRetry.attempts && !delivered; attempt++) {
          if (attempt > 1) await this.sleep(this.webhookRetry.delayMs);
          if (this.closed || this.webhook !== hook) return;
          delivered = await this.postUpdate(hook, update);
        }
        this.pending = this.pending.filter((u) => u !== update);
      }
    } catch {
      // Delivery problems are recorded on the webhook; the pump itself must never fail.
    } finally {
      this.pumping = false;
      if (!this.closed && this.webhook && this.pending.length > 0) setImmediate(() => void this.pumpWebhook());
    }
  }

  private postUpdate(hook: Webhook, update: QueuedUpdate): Promise<boolean> {
    const recordError = (message: string): void => {
      hook.lastErrorDate = Math.floor(Date.now() / 1000);
      hook.lastErrorMessage = message;
    };
    return new Promise((resolve) => {
      const body = JSON.stringify(update);
      const headers: Record<string, string | number> = {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      };
      if (hook.secret !== undefined) headers['x-telegram-bot-api-secret-token'] = hook.secret;
      const req = http.request(hook.url, { method: 'POST', headers, agent: false, timeout: 10_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', () => resolve(false));
        res.on('end', () => {
          this.webhookRequest = undefined;
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) {
            recordError(`Wrong response from the webhook: ${status} ${res.statusMessage ?? ''}`.trim());
            resolve(false);
            return;
          }
          void this.webhookReply(Buffer.concat(chunks), res.headers['content-type']).finally(() => resolve(true));
        });
      });
      req.on('timeout', () => req.destroy(new Error('Read timeout expired')));
      req.on('error', (error: NodeJS.ErrnoException) => {
        this.webhookRequest = undefined;
        recordError(error.code === 'ECONNREFUSED' ? 'Connection refused' : error.message);
        resolve(false);
      });
      this.webhookRequest = req;
      req.end(body);
    });
  }

  /** Runs a method the bot put in its webhook response, as Telegram does (the result is not returned). */
  private async webhookReply(body: Buffer, contentType: string | undefined): Promise<void> {
    if (body.length === 0 || !contentType?.toLowerCase().includes('application/json')) return;
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      return;
    }
    if (!isRecord(payload) || typeof payload.method !== 'string') return;
    const { method: name, ...values } = payload;
    const method = this.methods.get(name.toLowerCase());
    const params = new Params(values);
    const call: FakeCall = {
      method: method?.name ?? name,
      params: params.forLog(),
      at: Date.now(),
      status: 404,
      via: 'webhook-reply',
    };
    this.calls.push(call);
    if (!method || method.name === 'getUpdates') return;
    const outcome = await this.execute(method, params, { signal: new AbortController().signal }, false);
    call.status = outcome.kind === 'drop' ? 0 : outcome.status;
  }

  // --- chats, topics, messages -------------------------------------------------------------------

  private emptyChat(id: number, type: ChatState['type']): ChatState {
    return {
      id,
      type,
      title: '',
      firstName: '',
      isForum: false,
      botIsAdmin: false,
      canManageTopics: false,
      canPinMessages: false,
      botKicked: false,
      nextMessageId: 2,
      messages: new Map(),
      topics: new Map(),
      members: new Map(),
      roles: new Map(),
      pinned: new Set(),
    };
  }

  private chatOrThrow(chatId: number): ChatState {
    const chat = this.chats.get(chatId);
    if (!chat) throw new Error(`the fake has no chat ${chatId}; add it with addSupergroup/addPrivateChat`);
    return chat;
  }

  private requireChat(p: Params, field = 'chat_id'): ChatState {
    const raw = p.string(field);
    if (raw === undefined || raw === '') throw bad(`${field} is empty`);
    const chat = /^-?\d+$/.test(raw.trim()) ? this.chats.get(Number(raw)) : undefined;
    if (!chat) throw bad('chat not found');
    if (chat.botKicked) throw new ApiFailure(403, 'Forbidden: bot was kicked from the supergroup chat');
    return chat;
  }

  private requireMessageId(p: Params): number {
    const id = p.int('message_id');
    if (id === undefined) throw bad('message identifier is not specified');
    return id;
  }

  /** A forum supergroup, or a private chat while the bot's topic mode is on. */
  private requireForum(chat: ChatState): void {
    if (!hasTopics(chat, this.botUser)) throw bad(NOT_A_FORUM);
  }

  private requireTopic(chat: ChatState, p: Params): TopicState {
    this.requireForum(chat);
    const threadId = p.int('message_thread_id');
    const topic = threadId === undefined ? undefined : chat.topics.get(threadId);
    if (!topic || topic.deleted) throw bad('TOPIC_ID_INVALID');
    return topic;
  }

  /**
   * As TDLib decides: can_manage_topics, or the bot created the topic (in a private chat, always allowed).
   * `refusal` is TDLib's text for the action.
   */
  private requireTopicRights(chat: ChatState, topic: TopicState, refusal: string): void {
    if (!mayChangeTopic(chat, topic.createdByBot)) throw bad(refusal);
  }

  private requirePinRights(chat: ChatState): void {
    if (chat.type === 'supergroup' && !(chat.botIsAdmin && chat.canPinMessages)) {
      throw bad('not enough rights to manage pinned messages in the chat');
    }
  }

  /** The fake knows no business connections, so naming one fails as an unknown one does. */
  private refuseBusinessConnection(p: Params): void {
    if (p.string('business_connection_id')) throw bad('business connection not found');
  }

  private addMessage(chat: ChatState, init: MessageInit): StoredMessage {
    const msg = new StoredMessage(chat, chat.nextMessageId++, init);
    chat.messages.set(msg.message_id, msg);
    return msg;
  }

  /** Posts a service message and queues it as a `message` update (Telegram delivers one even to the bot behind it). */
  private postService(
    chat: ChatState,
    from: User,
    threadId: number | undefined,
    service: FakeServiceEvent,
  ): StoredMessage {
    const msg = this.addMessage(chat, { from, threadId, service });
    this.enqueue({ message: msg.json });
    return msg;
  }

  /** Creates a topic; its thread id is the id of its `forum_topic_created` service message, which is returned. */
  private openTopic(
    chat: ChatState,
    by: User,
    name: string,
    iconColor: number,
    iconCustomEmojiId: string | undefined,
  ): StoredMessage {
    const service = this.addMessage(chat, {
      from: by,
      service: { kind: 'forum_topic_created', name, iconColor, ...stripUndefined({ iconCustomEmojiId }) },
    });
    service.threadId = service.message_id;
    chat.topics.set(service.message_id, {
      threadId: service.message_id,
      name,
      createdAt: Date.now(),
      iconColor,
      ...stripUndefined({ iconCustomEmojiId }),
      deleted: false,
      closed: false,
      createdByBot: by.id === this.botUser.id,
    });
    return service;
  }

  private toggleTopic(chat: ChatState, topic: TopicState, closed: boolean, by: User): StoredMessage {
    topic.closed = closed;
    return this.postService(chat, by, topic.threadId, { kind: closed ? 'forum_topic_closed' : 'forum_topic_reopened' });
  }

  private pin(chat: ChatState, msg: StoredMessage, by: User): StoredMessage {
    chat.pinned.add(msg.message_id);
    return this.postService(chat, by, msg.threadId, { kind: 'pinned_message', messageId: msg.message_id });
  }

  private removeTopic(chat: ChatState, topic: TopicState): void {
    topic.deleted = true;
    for (const [id, msg] of chat.messages) {
      if (msg.threadId !== topic.threadId) continue;
      chat.messages.delete(id);
      chat.pinned.delete(id);
    }
  }

  private storeFile(kind: 'photo' | 'document', data: Uint8Array, fileName?: string, mimeType?: string): StoredFile {
    const number = this.nextFileNumber++;
    const extension = /\.([A-Za-z0-9]{1,8})$/.exec(fileName ?? '')?.[1]?.toLowerCase();
    const filePath =
      kind === 'photo' ? `photos/file_${number}.jpg` : `documents/file_${number}${extension ? `.${extension}` : ''}`;
    const size = kind === 'photo' ? imageSize(data) : undefined;
    const file: StoredFile = {
      file_id: `${kind === 'photo' ? 'AgACAgIAAxkBAAI' : 'BQACAgIAAxkBAAI'}${randomBytes(36).toString('base64url')}`,
      file_unique_id: `AQAD${randomBytes(9).toString('base64url')}`,
      kind,
      filePath,
      size: data.length,
      data: new Uint8Array(data),
      ...(kind === 'document'
        ? { fileName, mimeType: mimeType ?? MIME_BY_EXTENSION[extension ?? ''] ?? 'application/octet-stream' }
        : { width: size?.width ?? 320, height: size?.height ?? 320 }),
    };
    this.files.set(file.file_id, file);
    this.filesByPath.set(file.filePath, file);
    return file;
  }

  private formatted(p: Params, field: 'text' | 'caption'): FormattedText | undefined {
    const raw = p.string(field);
    if (raw === undefined) return undefined;
    const entitiesField = field === 'text' ? 'entities' : 'caption_entities';
    const given = p.json(entitiesField, 'entities');
    const parseMode = p.string('parse_mode') || undefined;
    let result: { text: string; entities: MessageEntity[] };
    if (given !== undefined) {
      if (!Array.isArray(given) || !given.every(isEntity)) throw bad("can't parse entities JSON object");
      result = { text: raw, entities: sortEntities(given) };
    } else if (parseMode?.toLowerCase() === 'html') {
      try {
        result = parseTelegramHtml(raw);
      } catch (error) {
        if (error instanceof EntityParseError) throw bad(`can't parse entities: ${error.message}`);
        throw error;
      }
    } else if (parseMode === undefined || ['markdownv2', 'markdown'].includes(parseMode.toLowerCase())) {
      result = { text: raw, entities: [] };
    } else {
      throw bad('unsupported parse_mode');
    }
    const trimmed = trimFormatted(result.text, result.entities);
    const limit = field === 'text' ? MAX_TEXT : MAX_CAPTION;
    if (trimmed.text.length > limit)
      throw bad(field === 'text' ? 'message is too long' : 'message caption is too long');
    return {
      text: trimmed.text,
      raw,
      parseMode,
      entities: trimmed.entities.length > 0 ? trimmed.entities : undefined,
    };
  }

  private requireText(p: Params): FormattedText {
    const text = this.formatted(p, 'text');
    if (!text || text.text === '') throw bad('message text is empty');
    return text;
  }

  private caption(p: Params): Partial<MessageInit> {
    const caption = this.formatted(p, 'caption');
    if (!caption || caption.text === '') return {};
    return { caption: caption.text, rawCaption: caption.raw, captionEntities: caption.entities };
  }

  private replyMarkup(p: Params): InlineKeyboardMarkup | undefined {
    const markup = p.json('reply_markup', 'reply keyboard markup');
    if (markup === undefined) return undefined;
    if (!isRecord(markup)) throw bad("can't parse reply keyboard markup JSON object");
    if (!('inline_keyboard' in markup)) return undefined; // reply keyboards are not part of Message
    const rows = markup.inline_keyboard;
    if (!Array.isArray(rows) || !rows.every((row) => Array.isArray(row))) {
      throw bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
    }
    for (const row of rows as unknown[][]) {
      for (const button of row) {
        if (!isRecord(button) || typeof button.text !== 'string') {
          throw bad('can\'t parse inline keyboard button: Field "text" must be of type String');
        }
        if (!BUTTON_ACTIONS.some((action) => action in button)) {
          throw bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
        }
        const data = button.callback_data;
        if (data !== undefined && (typeof data !== 'string' || data === '' || Buffer.byteLength(data) > 64)) {
          throw bad('BUTTON_DATA_INVALID');
        }
        if (button.url !== undefined && (typeof button.url !== 'string' || normalizeUrl(button.url) === undefined)) {
          throw bad(`inline keyboard button URL '${typeof button.url === 'string' ? button.url : ''}' is invalid`);
        }
      }
    }
    return { inline_keyboard: rows as InlineKeyboardMarkup['inline_keyboard'] };
  }

  /** Chat, topic and reply target of a send; all checks happen before anything is created. */
  private sendTarget(p: Params): {
    chat: ChatState;
    threadId?: number;
    replyThreadRoot?: number;
    replyToMessageId?: number;
    replyMarkup?: InlineKeyboardMarkup;
  } {
    const chat = this.requireChat(p);
    let threadId = p.int('message_thread_id');
    if (threadId !== undefined) {
      const topic = hasTopics(chat, this.botUser) ? chat.topics.get(threadId) : undefined;
      if (!topic || topic.deleted) throw bad('message thread not found');
    }
    let reply: { messageId: number; allowWithout: boolean } | undefined;
    const parameters = p.json('reply_parameters', 'reply parameters');
    if (parameters !== undefined) {
      if (!isRecord(parameters) || !Number.isInteger(parameters.message_id)) {
        throw bad("can't parse reply parameters JSON object");
      }
      if (parameters.chat_id !== undefined && Number(parameters.chat_id) !== chat.id) {
        throw bad('replies to other chats are not supported by the fake');
      }
      reply = {
        messageId: parameters.message_id as number,
        allowWithout: parameters.allow_sending_without_reply === true,
      };
    } else if (p.has('reply_to_message_id')) {
      reply = {
        messageId: p.int('reply_to_message_id') ?? 0,
        allowWithout: p.bool('allow_sending_without_reply') ?? false,
      };
    }
    const target = reply && chat.messages.get(reply.messageId);
    if (reply && !target && !reply.allowWithout) throw bad('message to be replied not found');
    let replyThreadRoot: number | undefined;
    if (target) {
      threadId ??= target.threadId;
      if (threadId === undefined && chat.type === 'supergroup')
        replyThreadRoot = target.replyThreadRoot ?? target.message_id;
    }
    // A reply to a message in a closed topic posts into that topic too.
    const closed = threadId !== undefined && chat.topics.get(threadId)?.closed === true;
    if (closed && !(chat.botIsAdmin && chat.canManageTopics)) throw bad('TOPIC_CLOSED');
    return { chat, threadId, replyThreadRoot, replyToMessageId: target?.message_id, replyMarkup: this.replyMarkup(p) };
  }

  private fileFor(p: Params, kind: 'photo' | 'document'): StoredFile {
    const input = p.file(kind);
    if (!input) throw bad(`there is no ${kind} in the request`);
    if ('fileId' in input) {
      const file = this.files.get(input.fileId);
      if (!file) throw bad('wrong file identifier/HTTP URL specified');
      if (file.kind !== kind) throw bad(`can't use file of type ${capitalize(file.kind)} as ${capitalize(kind)}`);
      return file;
    }
    if (input.upload.data.length > MAX_UPLOAD) throw new ApiFailure(413, 'Request Entity Too Large');
    if (kind === 'photo' && !imageSize(input.upload.data)) throw bad('IMAGE_PROCESS_FAILED');
    return kind === 'photo'
      ? this.storeFile('photo', input.upload.data)
      : this.storeFile('document', input.upload.data, input.upload.fileName);
  }

  private sendMessage(p: Params): Message {
    const { chat, ...where } = this.sendTarget(p);
    const text = this.requireText(p);
    const preview = p.json('link_preview_options', 'link preview options');
    if (preview !== undefined && !isRecord(preview)) throw bad("can't parse link preview options JSON object");
    if (preview?.url !== undefined && typeof preview.url !== 'string') throw bad('link preview URL must be a string');
    return this.addMessage(chat, {
      from: this.botUser,
      ...where,
      text: text.text,
      rawText: text.raw,
      parseMode: text.parseMode,
      entities: text.entities,
      ...(preview !== undefined && { linkPreview: { ...preview } }),
    }).json;
  }

  private sendMedia(p: Params, kind: 'photo' | 'document'): Message {
    const { chat, ...where } = this.sendTarget(p);
    const caption = this.caption(p);
    const file = this.fileFor(p, kind);
    return this.addMessage(chat, {
      from: this.botUser,
      ...where,
      ...caption,
      parseMode: p.string('parse_mode') || undefined,
      ...(kind === 'photo' ? { photo: file } : { document: file }),
    }).json;
  }

  private copyMessage(p: Params): { message_id: number } {
    const source = this.requireChat(p, 'from_chat_id').messages.get(this.requireMessageId(p));
    if (!source) throw bad('message to copy not found');
    if (source.isService) throw bad("message can't be copied");
    const { chat, ...where } = this.sendTarget(p);
    const caption = p.has('caption')
      ? this.caption(p)
      : { caption: source.caption, rawCaption: source.rawCaption, captionEntities: source.captionEntities };
    const copy = this.addMessage(chat, {
      from: this.botUser,
      ...where,
      text: source.text,
      rawText: source.rawText,
      entities: source.entities,
      photo: source.photo,
      document: source.document,
      ...(source.photo || source.document ? caption : {}),
    });
    return { message_id: copy.message_id };
  }

  private editable(p: Params): StoredMessage {
    if (p.has('inline_message_id')) throw bad('MESSAGE_ID_INVALID');
    const msg = this.requireChat(p).messages.get(this.requireMessageId(p));
    if (!msg) throw bad('message to edit not found');
    if (msg.from.id !== this.botUser.id || msg.isService) throw bad("message can't be edited");
    return msg;
  }

  private finishEdit(msg: StoredMessage, before: FakeEdit, changed: boolean): Message {
    if (!changed) {
      throw bad(
        'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      );
    }
    msg.editHistory.push(before);
    msg.editDate = Math.floor(Date.now() / 1000);
    return msg.json;
  }

  private editMessageText(p: Params): Message {
    const msg = this.editable(p);
    if (msg.text === undefined) throw bad('there is no text in the message to edit');
    const text = this.requireText(p);
    const markup = this.replyMarkup(p); // omitting reply_markup removes the keyboard, as in Telegram
    const before = snapshot(msg);
    const changed =
      text.text !== msg.text || !sameJson(text.entities, msg.entities) || !sameJson(markup, msg.replyMarkup);
    if (changed) {
      Object.assign(msg, {
        text: text.text,
        rawText: text.raw,
        parseMode: text.parseMode,
        entities: text.entities,
        replyMarkup: markup,
      });
    }
    return this.finishEdit(msg, before, changed);
  }

  private editMessageCaption(p: Params): Message {
    const msg = this.editable(p);
    if (!msg.photo && !msg.document) throw bad('there is no caption in the message to edit');
    const caption = this.caption(p);
    const markup = this.replyMarkup(p);
    const before = snapshot(msg);
    const changed =
      caption.caption !== msg.caption ||
      !sameJson(caption.captionEntities, msg.captionEntities) ||
      !sameJson(markup, msg.replyMarkup);
    if (changed)
      Object.assign(msg, {
        caption: undefined,
        rawCaption: undefined,
        captionEntities: undefined,
        ...caption,
        replyMarkup: markup,
      });
    return this.finishEdit(msg, before, changed);
  }

  private editMessageReplyMarkup(p: Params): Message {
    const msg = this.editable(p);
    const markup = this.replyMarkup(p);
    const before = snapshot(msg);
    const changed = !sameJson(markup, msg.replyMarkup);
    msg.replyMarkup = markup;
    return this.finishEdit(msg, before, changed);
  }

  private deleteMessage(p: Params): boolean {
    const chat = this.requireChat(p);
    const msg = chat.messages.get(this.requireMessageId(p));
    if (!msg) throw bad('message to delete not found');
    const own = msg.from.id === this.botUser.id;
    if (msg.service?.kind === 'forum_topic_created' || (!own && chat.type === 'supergroup' && !chat.botIsAdmin)) {
      throw bad("message can't be deleted");
    }
    chat.messages.delete(msg.message_id);
    chat.pinned.delete(msg.message_id);
    return true;
  }

  private setMessageReaction(p: Params): boolean {
    const msg = this.requireChat(p).messages.get(this.requireMessageId(p));
    if (!msg) throw bad('MESSAGE_ID_INVALID');
    const reaction = p.json('reaction', 'reaction types') ?? [];
    if (!Array.isArray(reaction)) throw bad("can't parse reaction types JSON object");
    if (reaction.length > 1) throw bad('REACTIONS_TOO_MANY');
    const emoji = reaction.map((r: unknown) => {
      if (!isRecord(r) || r.type !== 'emoji' || typeof r.emoji !== 'string' || !REACTION_EMOJI.has(r.emoji)) {
        throw bad('REACTION_INVALID');
      }
      return r.emoji;
    });
    msg.reactions = emoji;
    return true;
  }

  private answerCallbackQuery(p: Params): boolean {
    const answer = this.callbackQueries.get(p.string('callback_query_id') ?? '');
    if (!answer || answer.answered) throw bad('query is too old and response timeout expired or query ID is invalid');
    const text = p.string('text');
    if (text !== undefined && text.length > 200) throw bad('MESSAGE_TOO_LONG');
    Object.assign(
      answer,
      stripUndefined({ answered: true, text, showAlert: p.bool('show_alert'), url: p.string('url') }),
    );
    return true;
  }

  private sendChatAction(p: Params): boolean {
    const chat = this.requireChat(p);
    if (!CHAT_ACTIONS.has(p.string('action') ?? '')) throw bad('wrong parameter action in request');
    const threadId = p.int('message_thread_id');
    // Chat actions accept 1 for the General topic, unlike sends.
    if (threadId !== undefined && threadId !== 1) {
      const topic = chat.topics.get(threadId);
      if (!topic || topic.deleted) throw bad('message thread not found');
    }
    return true;
  }

  private getFile(p: Params): unknown {
    const file = this.files.get(p.string('file_id') ?? '');
    if (!file) throw bad('wrong file_id or the file is temporarily unavailable');
    if (file.size > MAX_DOWNLOAD) throw bad('file is too big');
    return {
      file_id: file.file_id,
      file_unique_id: file.file_unique_id,
      file_size: file.size,
      file_path: file.filePath,
    };
  }

  private createForumTopic(p: Params): unknown {
    const chat = this.requireChat(p);
    const refusal = creationRefusal(chat, this.botUser);
    if (refusal !== undefined) throw bad(refusal);
    const name = p.string('name') ?? '';
    if (name.length < 1 || name.length > 128) throw bad('TOPIC_NAME_INVALID');
    const iconColor = p.int('icon_color') ?? TOPIC_ICON_COLORS[0] ?? 0;
    if (!TOPIC_ICON_COLORS.includes(iconColor)) throw bad('TOPIC_ICON_COLOR_INVALID');
    const iconCustomEmojiId = p.string('icon_custom_emoji_id') || undefined;
    const service = this.openTopic(chat, this.botUser, name, iconColor, iconCustomEmojiId);
    return stripUndefined({
      message_thread_id: service.message_id,
      name,
      icon_color: iconColor,
      icon_custom_emoji_id: iconCustomEmojiId,
    });
  }

  private editForumTopic(p: Params): boolean {
    const chat = this.requireChat(p);
    const topic = this.requireTopic(chat, p);
    this.requireTopicRights(chat, topic, 'not enough rights to edit the topic');
    const name = p.string('name');
    if (name !== undefined && name.length > 128) throw bad('TOPIC_NAME_INVALID');
    const emoji = p.string('icon_custom_emoji_id');
    const newName = name || topic.name;
    const newEmoji = emoji === undefined ? topic.iconCustomEmojiId : emoji || undefined;
    if (newName === topic.name && newEmoji === topic.iconCustomEmojiId) throw bad('TOPIC_NOT_MODIFIED');
    topic.name = newName;
    topic.iconCustomEmojiId = newEmoji;
    const event = stripUndefined({ name: name || undefined, iconCustomEmojiId: emoji });
    this.addMessage(chat, {
      from: this.botUser,
      threadId: topic.threadId,
      service: { kind: 'forum_topic_edited', ...event },
    });
    return true;
  }

  private setTopicClosed(p: Params, closed: boolean): boolean {
    const chat = this.requireChat(p);
    const supergroupsOnly = closingRefusal(chat);
    if (supergroupsOnly !== undefined) throw bad(supergroupsOnly);
    const topic = this.requireTopic(chat, p);
    this.requireTopicRights(chat, topic, 'not enough rights to close or open the topic');
    if (topic.closed === closed) throw bad('TOPIC_NOT_MODIFIED');
    this.toggleTopic(chat, topic, closed, this.botUser);
    return true;
  }

  /** Checks in the Bot API server's order: the message, then the right, then what the message is. */
  private pinChatMessage(p: Params): boolean {
    const chat = this.requireChat(p);
    this.refuseBusinessConnection(p);
    const msg = chat.messages.get(this.requireMessageId(p));
    if (!msg) throw bad('message to pin not found');
    this.requirePinRights(chat);
    if (msg.isService) throw bad("a service message can't be pinned");
    p.bool('disable_notification'); // checked for its type; the fake notifies nobody
    if (!chat.pinned.has(msg.message_id)) this.pin(chat, msg, this.botUser);
    return true;
  }

  /**
   * Without message_id, unpins the most recent pin by sending date, as the Bot API does. A message that
   * exists but is not pinned is left as it is, with success.
   */
  private unpinChatMessage(p: Params): boolean {
    const chat = this.requireChat(p);
    this.refuseBusinessConnection(p);
    const messageId = p.int('message_id') ?? pinnedNewestFirst(chat)[0];
    if (messageId === undefined || !chat.messages.has(messageId)) throw bad('message to unpin not found');
    this.requirePinRights(chat);
    chat.pinned.delete(messageId);
    return true;
  }

  private deleteForumTopic(p: Params): boolean {
    const chat = this.requireChat(p);
    const topic = this.requireTopic(chat, p);
    const refusal = deletionRefusal(chat);
    if (refusal !== undefined) throw bad(refusal);
    this.removeTopic(chat, topic);
    return true;
  }

  private getChat(p: Params): unknown {
    const chat = this.requireChat(p);
    const pinnedId = pinnedNewestFirst(chat)[0];
    const pinned = pinnedId === undefined ? undefined : chat.messages.get(pinnedId);
    return {
      ...chatJson(chat),
      accent_color_id: 0,
      max_reaction_count: 11,
      // The most recent pin by sending date, without its reply, as the Bot API server shows it.
      ...(pinned ? { pinned_message: renderMessage(chat, pinned, true) } : {}),
    };
  }

  /** ChatMember JSON: the bot per its rights, other users per their status (the fields each status has). */
  private memberJson(chat: ChatState, user: User, status?: FakeMemberStatus): unknown {
    if (user.id === this.botUser.id) {
      if (!chat.botIsAdmin) return { status: 'member', user };
      return {
        ...ADMIN_RIGHTS,
        status: 'administrator',
        user,
        can_be_edited: false,
        can_manage_topics: chat.canManageTopics,
        can_pin_messages: chat.canPinMessages,
      };
    }
    switch (status ?? chat.roles.get(user.id) ?? 'member') {
      case 'creator':
        return { status: 'creator', user, is_anonymous: false };
      case 'administrator':
        return { ...ADMIN_RIGHTS, status: 'administrator', user, can_be_edited: true, can_manage_topics: true };
      case 'restricted':
        return { ...RESTRICTED, status: 'restricted', user, is_member: true, until_date: 0 };
      case 'left':
        return { status: 'left', user };
      case 'kicked':
        return { status: 'kicked', user, until_date: 0 };
      default:
        return { status: 'member', user };
    }
  }

  private getChatMember(p: Params): unknown {
    const chat = this.requireChat(p);
    const userId = p.int('user_id');
    if (userId === undefined) throw bad('user_id is empty');
    if (userId === this.botUser.id) return this.memberJson(chat, this.botInfoAsUser());
    const user = chat.members.get(userId);
    if (!user) throw bad('user not found');
    return this.memberJson(chat, user);
  }

  private getChatAdministrators(p: Params): unknown {
    const chat = this.requireChat(p);
    if (chat.type === 'private') throw bad('there are no administrators in the private chat');
    const people = [...chat.members.values()].filter((u) => {
      const status = chat.roles.get(u.id);
      return u.id !== this.botUser.id && (status === 'creator' || status === 'administrator');
    });
    return [
      ...people.map((u) => this.memberJson(chat, u)),
      ...(chat.botIsAdmin ? [this.memberJson(chat, this.botInfoAsUser())] : []),
    ];
  }

  private botInfoAsUser(): User {
    const { id, is_bot, first_name, username } = this.botUser;
    return { id, is_bot, first_name, username };
  }

  /**
   * The `scope` of the command methods (BotCommandScope; default scope when absent). The scopes of one chat need
   * `chat_id` of a chat the bot knows, and `chat_member` also `user_id`.
   */
  private commandScope(p: Params): { type: string; chat_id?: number; user_id?: number } {
    const scope = p.json('scope', 'BotCommandScope') ?? { type: 'default' };
    if (!isRecord(scope) || typeof scope.type !== 'string' || !COMMAND_SCOPES.has(scope.type)) {
      throw bad("can't parse BotCommandScope JSON object");
    }
    const ofChat = scope.type === 'chat' || scope.type === 'chat_administrators' || scope.type === 'chat_member';
    if (ofChat) {
      if (typeof scope.chat_id !== 'number') throw bad("can't parse BotCommandScope JSON object");
      if (!this.chats.has(scope.chat_id)) throw bad('chat not found');
    }
    if (scope.type === 'chat_member' && typeof scope.user_id !== 'number') {
      throw bad("can't parse BotCommandScope JSON object");
    }
    return stripUndefined({
      type: scope.type,
      chat_id: ofChat ? (scope.chat_id as number) : undefined,
      user_id: scope.type === 'chat_member' ? (scope.user_id as number) : undefined,
    }) as { type: string };
  }

  /** `language_code` of the command methods: a two-letter ISO 639-1 code, or '' for every language. */
  private commandLanguage(p: Params): string {
    const code = p.string('language_code') ?? '';
    if (code !== '' && !/^[a-z]{2}$/.test(code)) throw bad('language code is invalid');
    return code;
  }

  /** The list of a scope and language, replaced; an empty list (or none at all) deletes it. */
  private setMyCommands(p: Params): boolean {
    const commands = p.json('commands', 'bot commands') ?? [];
    if (!Array.isArray(commands)) throw bad("can't parse bot commands JSON object");
    if (commands.length > 100) throw bad('too many commands specified');
    const parsed = commands.map((c: unknown): BotCommand => {
      if (!isRecord(c)) throw bad("can't parse BotCommand JSON object");
      for (const field of ['command', 'description']) {
        if (c[field] === undefined) throw bad(`can't parse BotCommand: Can't find field "${field}"`);
      }
      if (typeof c.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(c.command)) throw bad('BOT_COMMAND_INVALID');
      if (typeof c.description !== 'string' || c.description.length < 1 || c.description.length > 256) {
        throw bad('BOT_COMMAND_DESCRIPTION_INVALID');
      }
      return { command: c.command, description: c.description };
    });
    const key = commandKey(this.commandScope(p), this.commandLanguage(p));
    if (parsed.length === 0) this.commandSets.delete(key);
    else this.commandSets.set(key, parsed);
    return true;
  }

  private registerMethods(): void {
    const table: Record<string, Handler> = {
      getMe: () => this.botInfo,
      getUpdates: (p, ctx) => this.getUpdates(p, ctx),
      setWebhook: (p) => this.setWebhook(p),
      deleteWebhook: (p) => this.deleteWebhook(p),
      getWebhookInfo: () => this.getWebhookInfo(),
      getChat: (p) => this.getChat(p),
      getChatMember: (p) => this.getChatMember(p),
      getChatAdministrators: (p) => this.getChatAdministrators(p),
      createForumTopic: (p) => this.createForumTopic(p),
      editForumTopic: (p) => this.editForumTopic(p),
      closeForumTopic: (p) => this.setTopicClosed(p, true),
      reopenForumTopic: (p) => this.setTopicClosed(p, false),
      deleteForumTopic: (p) => this.deleteForumTopic(p),
      pinChatMessage: (p) => this.pinChatMessage(p),
      unpinChatMessage: (p) => this.unpinChatMessage(p),
      getForumTopicIconStickers: () => [],
      sendMessage: (p) => this.sendMessage(p),
      sendPhoto: (p) => this.sendMedia(p, 'photo'),
      sendDocument: (p) => this.sendMedia(p, 'document'),
      copyMessage: (p) => this.copyMessage(p),
      editMessageText: (p) => this.editMessageText(p),
      editMessageCaption: (p) => this.editMessageCaption(p),
      editMessageReplyMarkup: (p) => this.editMessageReplyMarkup(p),
      deleteMessage: (p) => this.deleteMessage(p),
      setMessageReaction: (p) => this.setMessageReaction(p),
      answerCallbackQuery: (p) => this.answerCallbackQuery(p),
      sendChatAction: (p) => this.sendChatAction(p),
      getFile: (p) => this.getFile(p),
      setMyCommands: (p) => this.setMyCommands(p),
      // Exactly the list of that scope and language (no fallback to wider ones); [] when none is set.
      getMyCommands: (p) => this.commandSets.get(commandKey(this.commandScope(p), this.commandLanguage(p))) ?? [],
      deleteMyCommands: (p) => {
        this.commandSets.delete(commandKey(this.commandScope(p), this.commandLanguage(p)));
        return true;
      },
    };
    for (const [name, run] of Object.entries(table)) this.methods.set(name.toLowerCase(), { name, run });
  }
}

// ---------------------------------------------------------------------------------------------------
// Small helpers

function userJson(user: FakeUserInput): User {
  return stripUndefined({
    id: user.id,
    is_bot: user.is_bot ?? false,
    first_name: user.first_name,
    last_name: user.last_name,
    username: user.username,
  }) as User;
}

/** Pinned message ids, the most recent by sending date (message id) first. */
function pinnedNewestFirst(chat: ChatState): number[] {
  return [...chat.pinned].sort((a, b) => b - a);
}

function snapshot(msg: StoredMessage): FakeEdit {
  return stripUndefined({
    replacedAt: Date.now(),
    text: msg.text,
    rawText: msg.rawText,
    entities: msg.entities,
    caption: msg.caption,
    replyMarkup: msg.replyMarkup,
  }) as FakeEdit;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function commandKey(scope: { type: string; chat_id?: number; user_id?: number }, languageCode: string): string {
  return `${scope.type}:${scope.chat_id ?? ''}:${scope.user_id ?? ''}:${languageCode}`;
}

function safeDecode(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}

function writeJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function writeHtml(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
