/**
 * What the review and question schemas (review-schemas.ts, question-schemas.ts) share: ids, the author (the
 * Market's author DTOs of both have an optional type and name) and the moderation status. Both APIs spell the
 * statuses alike; their author types differ by one value each, and the bridge's model knows all four.
 */
import { z } from 'zod';
import type { FeedbackAuthor, ModerationStatus } from '../bridge/feedback-model.ts';
import { optional, tolerantEnum } from './schemas.ts';

/** An int64 id as the Market sends it (a JSON number, ≥ 1). */
export const id = z.number().int().positive();

/** GoodsFeedbackCommentAuthorType (USER, BUSINESS, BRAND) and QuestionsTextContentAuthorType (… VENDOR). */
const authorType = tolerantEnum(['USER', 'BUSINESS', 'BRAND', 'VENDOR']);

/** GoodsFeedbackCommentStatusType and QuestionsTextContentModerationStatusType. */
export const moderationStatus = tolerantEnum<Exclude<ModerationStatus, 'UNKNOWN'>>([
  'PUBLISHED',
  'UNMODERATED',
  'BANNED',
  'DELETED',
]);

/** An author DTO (optional, every field optional) → FeedbackAuthor; a missing one is of type 'UNKNOWN'. */
export const author = optional(z.object({ type: optional(authorType), name: optional(z.string()) })).transform(
  (a): FeedbackAuthor => {
    const out: FeedbackAuthor = { type: a?.type ?? 'UNKNOWN' };
    if (a?.name !== undefined) out.name = a.name;
    return out;
  },
);
