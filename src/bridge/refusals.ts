/**
 * Parts of Market messages that Telegram refuses for good (a 400 such as "message is too long", "can't parse
 * entities" or a file it cannot process). Retrying them would block their chat forever, so such a part is
 * replaced by a placeholder in its topic: what it was, why Telegram refused it and where to read it. Only
 * when Telegram takes the placeholder (or the minimal plain one) does the caller move on; when it refuses
 * even that, the refusal is about the chat, not the message, and the chat is retried like any failure.
 */
import type { Log } from './log.ts';
import { cabinetChatUrl, formatSize } from './format.ts';
import { html, joinHtml, type Html } from './html.ts';
import type { MarketChatId, MarketMessageId, TopicId } from './ids.ts';
import { TelegramRefusedError, type BridgeObserver, type TelegramPort } from './ports.ts';
import type { Texts } from './texts.ts';

/** What a part of a Market message was, for its placeholder. Sizes and names, never the text itself. */
export type PartKind = { kind: 'text'; characters: number } | { kind: 'file'; name: string; size: number };

export interface RefusablePart {
  marketChatId: MarketChatId;
  marketMessageId: MarketMessageId;
  /** The message's header line (HTML): who wrote it and when. */
  headerHtml: Html;
  what: PartKind;
}

export class Refusals {
  constructor(
    private readonly telegram: TelegramPort,
    private readonly deps: { texts: Texts; businessId: number; logger: Log; observer?: BridgeObserver },
  ) {}

  /**
   * Runs `post`; if Telegram refuses it for good, posts a placeholder instead. Resolves once the topic holds
   * the part or its placeholder; rethrows the refusal when even the minimal placeholder is refused.
   */
  async postOrReplace(
    topicId: TopicId,
    part: RefusablePart,
    post: (topicId: TopicId) => Promise<unknown>,
  ): Promise<void> {
    let refusal: TelegramRefusedError;
    try {
      await post(topicId);
      return;
    } catch (err) {
      if (!(err instanceof TelegramRefusedError)) throw err;
      refusal = err;
    }
    const { logger: log, observer, texts: t } = this.deps;
    const fields = {
      marketChatId: part.marketChatId,
      marketMessageId: part.marketMessageId,
      topicId,
      kind: part.what.kind,
      method: refusal.method,
      errorCode: refusal.errorCode,
      description: refusal.description,
    };
    log.warn(fields, 'Telegram refused a Market message for good; posting a placeholder instead');
    try {
      await this.telegram.sendText(topicId, this.placeholder(part, refusal));
      observer?.refused(part.what.kind, 'placeholder');
      return;
    } catch (err) {
      if (!(err instanceof TelegramRefusedError)) throw err;
      log.error({ ...fields, placeholderRefused: err.description }, 'Telegram refused the placeholder too');
    }
    try {
      await this.telegram.sendText(topicId, html`${t.refused.minimal(part.marketMessageId)}`);
      observer?.refused(part.what.kind, 'minimal');
    } catch (err) {
      if (!(err instanceof TelegramRefusedError)) throw err;
      observer?.refused(part.what.kind, 'failed');
      log.error(
        { ...fields, placeholderRefused: err.description },
        'Telegram refuses every post into this topic; the chat will be retried',
      );
      throw refusal;
    }
  }

  private placeholder(part: RefusablePart, refusal: TelegramRefusedError): Html {
    const { texts: t, businessId } = this.deps;
    const what =
      part.what.kind === 'text'
        ? t.refused.text(part.what.characters)
        : t.refused.file(part.what.name, formatSize(part.what.size));
    return joinHtml(
      [
        html`<b>${t.refused.title}</b>`,
        part.headerHtml,
        what,
        html`${t.refused.reason}: <i>${refusal.description}</i>`,
        html`<a href="${cabinetChatUrl(businessId, part.marketChatId)}">${t.openInCabinet}</a>`,
      ],
      '\n',
    );
  }
}
