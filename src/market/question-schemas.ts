/**
 * zod schemas for the answers of the three product-question methods, mapped onto the bridge's feedback model
 * (`Question`, `Answer`, `AnswerComment`, `QuestionTextEntity`). Tolerant like the chat schemas (schemas.ts):
 * extra fields are stripped, unknown author types and moderation statuses become 'UNKNOWN', optional fields may
 * be null, and a missing author is an author of type 'UNKNOWN'. Ids, texts, times and the envelope's `result`
 * are enforced; the votes are not read.
 */
import { z } from 'zod';
import type { Answer, AnswerComment, Question } from '../bridge/feedback-model.ts';
import type { QuestionTextEntity } from '../bridge/feedback-port.ts';
import { author, id, moderationStatus } from './feedback-schemas.ts';
import { envelope, optional, pagingSchema } from './schemas.ts';

/** QuestionDTO → Question. */
const questionSchema = z
  .object({
    questionIdentifiers: z.object({ id, offerId: z.string(), categoryId: optional(z.number().int().nonnegative()) }),
    text: z.string(),
    createdAt: z.string(),
    author,
  })
  .transform((q): Question => {
    const out: Question = {
      id: q.questionIdentifiers.id,
      offerId: q.questionIdentifiers.offerId,
      text: q.text,
      createdAt: q.createdAt,
      author: q.author,
    };
    if (q.questionIdentifiers.categoryId !== undefined) out.categoryId = q.questionIdentifiers.categoryId;
    return out;
  });

/** CommentDTO → AnswerComment. `canModify` is optional in the spec: absent means the shop may not. */
const commentSchema = z
  .object({
    id,
    answerId: id,
    parentId: optional(id),
    text: z.string(),
    status: moderationStatus,
    createdAt: z.string(),
    canModify: optional(z.boolean()),
    author,
  })
  .transform((c): AnswerComment => {
    const out: AnswerComment = {
      id: c.id,
      answerId: c.answerId,
      text: c.text,
      status: c.status,
      createdAt: c.createdAt,
      canModify: c.canModify ?? false,
      author: c.author,
    };
    if (c.parentId !== undefined) out.parentId = c.parentId;
    return out;
  });

/** AnswerDTO → Answer, with the comments it embeds (at most 100; null means none). */
const answerSchema = z
  .object({
    id,
    questionId: id,
    text: z.string(),
    status: moderationStatus,
    createdAt: z.string(),
    canModify: optional(z.boolean()),
    author,
    comments: optional(z.array(commentSchema)),
  })
  .transform((a): Answer => ({
    id: a.id,
    questionId: a.questionId,
    text: a.text,
    status: a.status,
    createdAt: a.createdAt,
    canModify: a.canModify ?? false,
    author: a.author,
    comments: a.comments ?? [],
  }));

/** getGoodsQuestions: POST /v1/businesses/{businessId}/goods-questions. */
export const getQuestionsResponseSchema = envelope(
  z.object({ questions: z.array(questionSchema), paging: pagingSchema, totalCount: z.number().int().nonnegative() }),
);

/** getGoodsQuestionAnswers: POST /v1/businesses/{businessId}/goods-questions/answers. */
export const getAnswersResponseSchema = envelope(z.object({ answers: z.array(answerSchema), paging: pagingSchema }));

/**
 * updateGoodsQuestionTextEntity's answer to a CREATE: the new entity. Its `type` is kept only when it is one the
 * bridge knows; otherwise undefined, and the caller knows what it created.
 */
export const createdEntityResponseSchema = envelope(
  z.object({
    entity: z.object({
      id,
      type: optional(z.string()).transform((t): QuestionTextEntity['type'] | undefined =>
        t === 'QUESTION' || t === 'ANSWER' || t === 'COMMENT' ? t : undefined,
      ),
    }),
  }),
);
