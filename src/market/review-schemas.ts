/**
 * zod schemas for the answers of the product-review (goods feedback) methods, mapped onto the bridge's feedback
 * model (`Review`, `ReviewComment`). Tolerant like the chat schemas (schemas.ts): extra fields are stripped, unknown
 * author types and moderation statuses become 'UNKNOWN', optional fields may be null, a missing author is an author
 * of type 'UNKNOWN', and a review without identifiers, texts or media has none. Ids, the review's time, rating and
 * reaction flag, the comment's text and status, and the envelope's `result` are enforced.
 */
import { z } from 'zod';
import type { Review, ReviewComment } from '../bridge/feedback-model.ts';
import { author, id, moderationStatus } from './feedback-schemas.ts';
import { envelope, optional, pagingSchema } from './schemas.ts';

/** GoodsFeedbackMediaDTO's lists: URLs, absent or null meaning none. */
const urls = optional(z.array(z.string())).transform((list) => list ?? []);

/** GoodsFeedbackDTO → Review. */
const reviewSchema = z
  .object({
    feedbackId: id,
    createdAt: z.string(),
    needReaction: z.boolean(),
    identifiers: optional(z.object({ orderId: optional(id), offerId: optional(z.string()) })),
    author: optional(z.string()),
    description: optional(
      z.object({
        advantages: optional(z.string()),
        disadvantages: optional(z.string()),
        comment: optional(z.string()),
      }),
    ),
    media: optional(z.object({ photos: urls, videos: urls })),
    statistics: z.object({
      rating: z.number().int(),
      commentsCount: optional(z.number().int().nonnegative()),
      recommended: optional(z.boolean()),
    }),
  })
  .transform((r): Review => {
    const out: Review = {
      id: r.feedbackId,
      createdAt: r.createdAt,
      needReaction: r.needReaction,
      photos: r.media?.photos ?? [],
      videos: r.media?.videos ?? [],
      rating: r.statistics.rating,
      commentsCount: r.statistics.commentsCount ?? 0,
    };
    if (r.identifiers?.orderId !== undefined) out.orderId = r.identifiers.orderId;
    if (r.identifiers?.offerId !== undefined) out.offerId = r.identifiers.offerId;
    if (r.author !== undefined) out.author = r.author;
    if (r.description?.advantages !== undefined) out.advantages = r.description.advantages;
    if (r.description?.disadvantages !== undefined) out.disadvantages = r.description.disadvantages;
    if (r.description?.comment !== undefined) out.comment = r.description.comment;
    if (r.statistics.recommended !== undefined) out.recommended = r.statistics.recommended;
    return out;
  });

/** GoodsFeedbackCommentDTO → ReviewComment. `canModify` is optional in the spec: absent means the shop may not. */
export const reviewCommentSchema = z
  .object({
    id,
    feedbackId: id,
    parentId: optional(id),
    text: z.string(),
    status: moderationStatus,
    canModify: optional(z.boolean()),
    author,
  })
  .transform((c): ReviewComment => {
    const out: ReviewComment = {
      id: c.id,
      reviewId: c.feedbackId,
      text: c.text,
      status: c.status,
      canModify: c.canModify ?? false,
      author: c.author,
    };
    if (c.parentId !== undefined) out.parentId = c.parentId;
    return out;
  });

/** getGoodsFeedbacks: POST /v2/businesses/{businessId}/goods-feedback. */
export const getReviewsResponseSchema = envelope(z.object({ feedbacks: z.array(reviewSchema), paging: pagingSchema }));

/** getGoodsFeedbackComments: POST /v2/businesses/{businessId}/goods-feedback/comments. */
export const getReviewCommentsResponseSchema = envelope(
  z.object({ comments: z.array(reviewCommentSchema), paging: pagingSchema }),
);

/** updateGoodsFeedbackComment: the comment created or edited. */
export const saveReviewCommentResponseSchema = envelope(reviewCommentSchema);
