/**
 * Quick replies on the Telegram side, for people who may answer buyers (OPERATORS): `/template add` and
 * `/template delete` manage them, `/templates` lists them in General and offers them as buttons in a buyer's
 * topic (as does the context card's 📋 button). A tap posts the filled text into the topic as the tapper's
 * reply and hands it to the bridge like a typed one: the reply guard, the undo window and the receipts
 * under the posted message all apply. Each tap costs one post.
 */
import type { Bot, Context } from 'grammy';
import type { InlineKeyboardButton, Message, User } from 'grammy/types';
import type { Logger } from 'pino';
import { TEXT_LIMIT, visibleLength } from '../bridge/format.ts';
import { html, joinHtml, type Html } from '../bridge/html.ts';
import { telegramMessageId, telegramUserId, topicId, type TopicId } from '../bridge/ids.ts';
import type { MarketChat } from '../bridge/model.ts';
import type { OperatorMessage } from '../bridge/ports.ts';
import type { Texts } from '../bridge/texts.ts';
import type { AddOutcome, DeleteOutcome, TemplateBook } from '../templates/book.ts';
import {
  fillTemplate,
  firstLine,
  nameKey,
  PLACEHOLDER_NAMES,
  TEMPLATES_MAX,
  type TextProblem,
} from '../templates/template.ts';
import { encodeTemplateTap, parseAction, parseTemplateTap, type TemplateTap } from './buttons.ts';
import { senderOf } from './operator-input.ts';
import type { Sender } from './operators.ts';

/** What quick replies need from the bridge. */
export interface QuickReplySink {
  /** The Market chat a topic mirrors, as last synced; undefined for a topic of no chat. */
  chatInTopic(topicId: TopicId): Readonly<MarketChat> | undefined;
  operatorMessage(msg: OperatorMessage): Promise<void>;
}

export interface QuickRepliesOptions {
  groupId: number;
  book: TemplateBook;
  texts: Texts;
  logger: Logger;
  mayAnswer(sender: Sender): boolean;
}

/** The same person tapping the same template under the same list again within this time: a double tap. */
const DOUBLE_TAP_MS = 5_000;
/** A template's first line in the list in General. */
const LINE_SHOWN = 60;

const placeholderList = (names: readonly string[]) => names.map((n) => `{${n}}`).join(', ');

/** The words after `/template`: the verb (lower case), the name, and the rest (the text, maybe lines). */
export function templateArgs(args: string): { verb: string; name: string; text: string } {
  const m = /^\s*(\S*)\s*(\S*)([\s\S]*)$/.exec(args);
  return { verb: (m?.[1] ?? '').toLowerCase(), name: m?.[2] ?? '', text: m?.[3] ?? '' };
}

/** The text (or caption) of the message a command replies to; not the topic's own first message. */
function repliedText(message: Message): string | undefined {
  const r = message.reply_to_message;
  if (!r || r.forum_topic_created || (message.is_topic_message && r.message_id === message.message_thread_id))
    return undefined;
  return r.text ?? r.caption;
}

/** The topic of a message, or undefined in General. */
function topicOf(message: Pick<Message, 'is_topic_message' | 'message_thread_id'>): TopicId | undefined {
  return message.is_topic_message && message.message_thread_id !== undefined
    ? topicId(message.message_thread_id)
    : undefined;
}

/** Registers the commands and buttons. Install before the operator input, which ignores their updates. */
export function installQuickReplies(bot: Bot, sink: QuickReplySink, o: QuickRepliesOptions): void {
  const { groupId, book, texts, logger: log } = o;
  const t = texts.templates;
  const recentTaps = new Map<string, number>();

  const say = async (ctx: Context, message: Message, text: Html | string, buttons?: InlineKeyboardButton[][]) => {
    try {
      return await ctx.api.sendMessage(groupId, typeof text === 'string' ? html`${text}`.markup : text.markup, {
        parse_mode: 'HTML',
        message_thread_id: topicOf(message),
        reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true },
        link_preview_options: { is_disabled: true },
        reply_markup: buttons ? { inline_keyboard: buttons } : undefined,
      });
    } catch (err) {
      log.warn({ err, messageId: message.message_id }, 'could not answer a quick replies command');
      return undefined;
    }
  };

  /** The command's message, when it comes from a person in the group who may use quick replies. */
  const commandFrom = async (ctx: Context): Promise<Message | undefined> => {
    const message = ctx.message;
    if (!message || message.chat.id !== groupId) return undefined;
    const sender = senderOf(message, groupId);
    if (!sender.anonymousAdmin && (message.from === undefined || message.from.is_bot)) return undefined;
    if (o.mayAnswer(sender)) return message;
    await say(ctx, message, t.notOperator);
    return undefined;
  };

  const problemText = (problem: TextProblem): string => {
    if (problem.kind === 'empty') return t.empty;
    if (problem.kind === 'too-long') return t.tooLong(problem.length, TEXT_LIMIT);
    return t.unknownPlaceholders(placeholderList(problem.names), placeholderList(PLACEHOLDER_NAMES));
  };

  const outcomeText = (outcome: AddOutcome | DeleteOutcome, rawName: string): string => {
    switch (outcome.kind) {
      case 'added':
        return t.added(outcome.name);
      case 'replaced':
        return t.replaced(outcome.name);
      case 'deleted':
        return t.deleted(outcome.name);
      case 'unknown':
        return t.unknown(outcome.name);
      case 'from-file':
        return t.fromFile(outcome.name);
      case 'bad-name':
        return t.badName(rawName);
      case 'bad-text':
        return problemText(outcome.problem);
      case 'too-many':
        return t.tooMany(outcome.max);
      case 'not-saved':
        return t.notSaved(outcome.reason);
    }
  };

  bot.command('template', async (ctx) => {
    const message = await commandFrom(ctx);
    if (!message) return;
    const { verb, name, text } = templateArgs(typeof ctx.match === 'string' ? ctx.match : '');
    let outcome: AddOutcome | DeleteOutcome | undefined;
    if (verb === 'add' && name) {
      const body = text.trim() ? text : repliedText(message);
      outcome = await book.add(name, body ?? '', message.from?.id);
    } else if (verb === 'delete' && name && !text.trim()) {
      outcome = await book.delete(name);
    }
    if (outcome) log.info({ outcome: outcome.kind, by: message.from?.id }, 'quick reply command');
    await say(ctx, message, outcome ? outcomeText(outcome, name) : t.usage(placeholderList(PLACEHOLDER_NAMES)));
  });

  bot.command('templates', async (ctx) => {
    const message = await commandFrom(ctx);
    if (!message) return;
    const topic = topicOf(message);
    if (topic === undefined) {
      for (const part of listInGeneral(book, texts)) await say(ctx, message, part);
      return;
    }
    if (!sink.chatInTopic(topic)) await say(ctx, message, t.notLinked);
    else if (book.list().length === 0) await say(ctx, message, t.none);
    else await say(ctx, message, t.pick, keyboard(book, topic));
  });

  /** Posts the filled template in the topic and hands it to the bridge; returns the button's answer. */
  const sendTemplate = async (
    ctx: Context,
    tap: TemplateTap,
    tapId: string,
    from: User,
    posted: () => void,
  ): Promise<string> => {
    const template = book.list().find((tpl) => nameKey(tpl.name) === tap.key);
    const chat = sink.chatInTopic(tap.topicId);
    if (!template) return t.gone;
    if (!chat) return t.notLinked;
    const filled = fillTemplate(template.text, chat);
    if (!filled.ok) {
      log.info({ topicId: tap.topicId, template: template.name, missing: filled.missing }, 'quick reply not filled');
      return filled.unknown.length > 0
        ? t.unknownInText(placeholderList(filled.unknown))
        : t.missing(placeholderList(filled.missing));
    }
    const who = [from.first_name, from.last_name].filter(Boolean).join(' ');
    const post = html`${t.postHeader(who, template.name)}\n${filled.text}`;
    if (visibleLength(post) > TEXT_LIMIT) return t.postTooLong;
    // Claimed on disk before it is posted: the same tap delivered again (after a restart) sends nothing more.
    const claim = await book.claimTap(tapId);
    if (claim.kind === 'seen') return t.repeated;
    if (claim.kind === 'not-saved') return t.notSaved(claim.reason);
    let messageId: number;
    try {
      const message = await ctx.api.sendMessage(groupId, post.markup, {
        parse_mode: 'HTML',
        message_thread_id: tap.topicId,
        link_preview_options: { is_disabled: true },
      });
      messageId = message.message_id;
    } catch (err) {
      log.warn({ err, topicId: tap.topicId, template: template.name }, 'could not post a quick reply');
      return t.postFailed;
    }
    posted();
    log.info({ topicId: tap.topicId, template: template.name, by: from.id }, 'quick reply sent');
    // From here on it is a reply like a typed one: written down, guarded, delivered, told under the post.
    await sink.operatorMessage({
      topicId: tap.topicId,
      messageId: telegramMessageId(messageId),
      from: { id: telegramUserId(from.id), name: who },
      text: filled.text,
    });
    return t.sent(template.name);
  };

  /** The card's button: the buttons of every template, posted in the topic; returns the button's answer. */
  const showButtons = async (ctx: Context, topic: TopicId): Promise<string | undefined> => {
    if (book.list().length === 0) return t.none;
    try {
      await ctx.api.sendMessage(groupId, html`${t.pick}`.markup, {
        parse_mode: 'HTML',
        message_thread_id: topic,
        reply_markup: { inline_keyboard: keyboard(book, topic) },
      });
      return undefined;
    } catch (err) {
      log.warn({ err, topicId: topic }, 'could not post the quick replies');
      return t.postFailed;
    }
  };

  bot.on('callback_query:data', async (ctx, next) => {
    const q = ctx.callbackQuery;
    const tap = parseTemplateTap(q.data);
    const action = tap ? undefined : parseAction(q.data);
    if (!tap && action?.kind !== 'templates') {
      await next();
      return;
    }
    const answer = async (text?: string) => {
      await ctx.answerCallbackQuery(text === undefined ? undefined : { text }).catch((err: unknown) => {
        log.warn({ err }, 'could not answer a quick replies button');
      });
    };
    const host = q.message;
    const topic = tap?.topicId ?? action?.topicId;
    if (host?.chat.id !== groupId || q.from.is_bot || topic === undefined) {
      await answer();
      return;
    }
    if (!o.mayAnswer({ userId: q.from.id, anonymousAdmin: false })) {
      log.info({ topicId: topic, by: q.from.id }, 'quick replies button pressed by a non-operator');
      await answer(texts.notSent.notOperatorButton);
      return;
    }
    // Button data naming another topic than the one the button sits in does nothing.
    if (!('is_topic_message' in host) || topicOf(host) !== topic) {
      log.warn({ topicId: topic, under: host.message_id }, 'quick replies button outside its topic; ignored');
      await answer(texts.nothingToDo);
      return;
    }
    if (!tap) {
      await answer(await showButtons(ctx, topic));
      return;
    }
    const key = `${q.from.id}:${host.message_id}:${tap.key}`;
    const now = Date.now();
    for (const [k, at] of recentTaps) if (now - at >= DOUBLE_TAP_MS) recentTaps.delete(k);
    if (recentTaps.has(key)) {
      await answer(t.repeated);
      return;
    }
    await answer(await sendTemplate(ctx, tap, q.id, q.from, () => recentTaps.set(key, Date.now())));
  });
}

/** One button per template, two to a row (Telegram takes at most 100). */
function keyboard(book: TemplateBook, topic: TopicId): InlineKeyboardButton[][] {
  const buttons = book
    .list()
    .slice(0, TEMPLATES_MAX)
    .map((tpl) => ({ text: tpl.name, callback_data: encodeTemplateTap(topic, tpl.name) }));
  const rows: InlineKeyboardButton[][] = [];
  for (let i = 0; i < buttons.length; i += 2) rows.push(buttons.slice(i, i + 2));
  return rows;
}

/** The list for General: each template's name and first line, in as few messages as fit Telegram's limit. */
export function listInGeneral(book: TemplateBook, texts: Texts): Html[] {
  const t = texts.templates;
  const templates = book.list();
  if (templates.length === 0) return [html`${t.none}`];
  const lines = templates.map(
    (tpl) =>
      html`<b>${tpl.name}</b>${tpl.source === 'file' ? t.fromFileMark : ''} — ${firstLine(tpl.text, LINE_SHOWN)}`,
  );
  const parts: Html[][] = [[html`<b>${t.listTitle}</b>`, html``]];
  for (const line of [...lines, html``, html`<i>${t.listHint}</i>`]) {
    const current = parts[parts.length - 1] ?? [];
    if (visibleLength(joinHtml([...current, line], '\n')) > TEXT_LIMIT) parts.push([line]);
    else current.push(line);
  }
  return parts.map((p) => joinHtml(p, '\n'));
}
