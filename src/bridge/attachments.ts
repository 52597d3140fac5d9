/**
 * A Market attachment posted into its topic: downloaded from the Market and uploaded as a photo or a
 * document, or replaced by a note when it is too big for Telegram or cannot be downloaded.
 */
import type { Deps } from './deps.ts';
import { CAPTION_LIMIT, formatSize } from './format.ts';
import { html, type Html } from './html.ts';
import type { TopicId } from './ids.ts';
import type { MarketAttachment } from './model.ts';
import { FatalError, type Lane } from './ports.ts';

/** Telegram bots may upload documents up to 50 MB and photos up to 10 MB. */
const TELEGRAM_UPLOAD_LIMIT = 50 * 1024 * 1024;
const TELEGRAM_PHOTO_LIMIT = 10 * 1024 * 1024;
const PHOTO_EXTENSIONS = /\.(jpe?g|png)$/i;

/** Posts one attachment; `caption` (HTML) is the message's header when the message has no text. */
export async function postAttachment(
  d: Deps,
  topicId: TopicId,
  att: MarketAttachment,
  caption: Html | undefined,
  lane: Lane = 'live',
): Promise<void> {
  const label = html`📎 ${att.name}`;
  const fullCaption = caption ? html`${caption}\n${label}` : label;
  if (att.size > TELEGRAM_UPLOAD_LIMIT) {
    await d.telegram.sendText(topicId, html`${d.t.attachmentTooBig(att.name, formatSize(att.size))}`, { lane });
    return;
  }
  let data: Uint8Array;
  try {
    ({ data } = await d.market.downloadAttachment(att.url, TELEGRAM_UPLOAD_LIMIT));
  } catch (err) {
    if (err instanceof FatalError) throw err;
    d.log.warn({ err, nameLength: att.name.length, size: att.size }, 'attachment download failed');
    const note = html`${d.t.attachmentFailed(att.name, formatSize(att.size))}`;
    await d.telegram.sendText(topicId, caption ? html`${caption}\n${note}` : note, { lane });
    return;
  }
  const kind = PHOTO_EXTENSIONS.test(att.name) && data.length <= TELEGRAM_PHOTO_LIMIT ? 'photo' : 'document';
  // Telegram refuses a caption over its limit (a very long file name): then the caption goes as a text first.
  if (fullCaption.markup.length > CAPTION_LIMIT) {
    await d.telegram.sendText(topicId, fullCaption, { lane });
    await d.telegram.sendFile(topicId, { name: att.name, data, kind }, undefined, lane);
    return;
  }
  await d.telegram.sendFile(topicId, { name: att.name, data, kind }, fullCaption, lane);
}
