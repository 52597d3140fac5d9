/**
 * zod schemas for the Partner API responses the client reads, mapped onto the bridge model.
 *
 * Tolerant by design, as the Market's best practices ask: extra fields are stripped rather than
 * rejected, unknown enum values become 'UNKNOWN', and optional fields may also arrive as null. Only
 * what the bridge cannot work without (ids, required strings, the envelope's `result`) is enforced.
 */
import { z } from 'zod';
import { marketChatId, marketMessageId } from '../bridge/ids.ts';
import type { MarketChatId } from '../bridge/ids.ts';
import { CHAT_STATUSES } from '../bridge/model.ts';
import type {
  ChatContext,
  ChatContextType,
  ChatKind,
  ChatStatus,
  MarketAttachment,
  MarketChat,
  MarketMessage,
  MessageSender,
} from '../bridge/model.ts';

/** A string enum whose unknown values map to 'UNKNOWN' instead of failing; a missing value still fails. */
export function tolerantEnum<const T extends string>(values: readonly T[]) {
  const known = new Set<string>(values);
  return z.string().transform((v): T | 'UNKNOWN' => (known.has(v) ? (v as T) : 'UNKNOWN'));
}

/** An int64 id as the Market sends it (a JSON number, ≥ 1). */
const id = z.number().int().positive();
/** Optional in the spec; null tolerated and normalised to undefined. */
export const optional = <S extends z.ZodType>(schema: S) => schema.nullish().transform((v) => v ?? undefined);

const chatStatus = tolerantEnum<Exclude<ChatStatus, 'UNKNOWN'>>(CHAT_STATUSES);
const chatKind = tolerantEnum<Exclude<ChatKind, 'UNKNOWN'>>(['CHAT', 'ARBITRAGE']);
const contextType = tolerantEnum<Exclude<ChatContextType, 'UNKNOWN'>>(['ORDER', 'RETURN', 'DIRECT']);
const sender = tolerantEnum<Exclude<MessageSender, 'UNKNOWN'>>(['PARTNER', 'CUSTOMER', 'MARKET', 'SUPPORT']);

/** ChatFullContextDTO → ChatContext. */
const chatFullContext = z
  .object({
    type: contextType,
    customer: optional(
      z.object({
        name: optional(z.string()),
        publicId: optional(z.string()),
      }),
    ),
    campaignId: optional(id),
    orderId: optional(id),
    returnId: optional(id),
  })
  .transform((c): ChatContext => {
    const out: ChatContext = { type: c.type };
    if (c.customer) {
      out.customer = {};
      if (c.customer.name !== undefined) out.customer.name = c.customer.name;
      if (c.customer.publicId !== undefined) out.customer.publicId = c.customer.publicId;
    }
    if (c.campaignId !== undefined) out.campaignId = c.campaignId;
    if (c.orderId !== undefined) out.orderId = c.orderId;
    if (c.returnId !== undefined) out.returnId = c.returnId;
    return out;
  });

/** GetChatInfoDTO → MarketChat. */
export const chatInfoSchema = z
  .object({
    chatId: id,
    context: chatFullContext,
    type: chatKind,
    status: chatStatus,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .transform((c): MarketChat => ({
    id: marketChatId(c.chatId),
    kind: c.type,
    status: c.status,
    context: c.context,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  }));

/** ChatMessagePayloadDTO → MarketAttachment. */
const attachmentSchema = z
  .object({ name: z.string(), url: z.string().min(1), size: z.number().int().nonnegative() })
  .transform((a): MarketAttachment => ({ name: a.name, url: a.url, size: a.size }));

/** ChatMessageDTO → MarketMessage. */
export const chatMessageSchema = z
  .object({
    messageId: id,
    createdAt: z.string(),
    sender,
    message: optional(z.string()),
    payload: optional(z.array(attachmentSchema)),
  })
  .transform((m): MarketMessage => {
    const out: MarketMessage = {
      id: marketMessageId(m.messageId),
      createdAt: m.createdAt,
      sender: m.sender,
      attachments: m.payload ?? [],
    };
    if (m.message !== undefined) out.text = m.message;
    return out;
  });

/** PackagingForwardScrollingPagerDTO: only the next token matters; an empty token means the last page. */
export const pagingSchema = optional(
  z.object({ nextPageToken: optional(z.string()) }).transform((p) => p.nextPageToken || undefined),
);

/** The ApiResponse envelope with a required `result`. */
export function envelope<S extends z.ZodType>(result: S) {
  return z.object({ status: z.string().optional(), result });
}

/** getChats: POST /v2/businesses/{businessId}/chats. */
export const getChatsResponseSchema = envelope(z.object({ chats: z.array(chatInfoSchema), paging: pagingSchema }));

/** getChat: GET /v2/businesses/{businessId}/chat. */
export const getChatResponseSchema = envelope(chatInfoSchema);

/** getChatHistory: POST /v2/businesses/{businessId}/chats/history. The context is not needed here. */
export const getChatHistoryResponseSchema = envelope(
  z.object({ messages: z.array(chatMessageSchema), paging: pagingSchema }),
);

/** getChatMessage: GET /v2/businesses/{businessId}/chats/message. */
export const getChatMessageResponseSchema = envelope(chatMessageSchema);

/** sendMessageToChat / sendFileToChat: `{"status":"OK"}`. */
export const emptyApiResponseSchema = z.object({ status: z.string().optional() });

/** createChat: POST /v2/businesses/{businessId}/chats/new. */
export const createChatResponseSchema = envelope(
  z.object({ chatId: id }).transform((r): MarketChatId => marketChatId(r.chatId)),
);

/** The Api-Key as the Market describes it. Scopes are kept as sent (`COMMUNICATION`, ...). */
export interface TokenInfo {
  name: string;
  scopes: string[];
}

/** getAuthTokenInfo: POST /v2/auth/token. */
export const getTokenInfoResponseSchema = envelope(
  z
    .object({ apiKey: z.object({ name: z.string(), authScopes: z.array(z.string()) }) })
    .transform((r): TokenInfo => ({ name: r.apiKey.name, scopes: r.apiKey.authScopes })),
);

/** ApiErrorResponse: every error status's body. Parsed leniently; entries without a code are dropped. */
export const apiErrorResponseSchema = z.object({
  status: z.string().optional(),
  errors: optional(
    z.array(z.unknown()).transform((entries) =>
      entries.flatMap((e): { code: string; message?: string }[] => {
        const parsed = z.object({ code: z.string(), message: optional(z.string()) }).safeParse(e);
        if (!parsed.success) return [];
        return parsed.data.message !== undefined
          ? [{ code: parsed.data.code, message: parsed.data.message }]
          : [{ code: parsed.data.code }];
      }),
    ),
  ),
});
