/**
 * Product questions at the Market: the question half of the bridge's `FeedbackPort`, through the three methods
 * under `/v1/businesses/{businessId}/goods-questions` (getGoodsQuestions, getGoodsQuestionAnswers,
 * updateGoodsQuestionTextEntity). Reads go through the client's one retry point; a write is sent once through the
 * client's write path and becomes a `WriteOutcome`, as a chat message becomes a `SendOutcome`. The request bodies
 * are exactly those of REVIEWS-QUESTIONS.md §4; what the Market decides (a text's length, a comment on a comment,
 * whose texts the shop may change) is left to it, and its refusal is the outcome.
 */
import type { Logger } from 'pino';
import type { Answer, Question } from '../bridge/feedback-model.ts';
import type {
  QuestionQuery,
  QuestionTextEntity,
  QuestionTextOperation,
  WriteOutcome,
} from '../bridge/feedback-port.ts';
import type { Page, SendOptions } from '../bridge/ports.ts';
import { MarketApiError, MarketSchemaError } from './errors.ts';
import type { Read } from './orders.ts';
import { failureOutcome, parseAnswer } from './outcomes.ts';
import {
  createdEntityResponseSchema,
  getAnswersResponseSchema,
  getQuestionsResponseSchema,
} from './question-schemas.ts';
import { emptyApiResponseSchema } from './schemas.ts';
import type { ApiRequest, RawResponse } from './transport.ts';

/** The longest page of both reads (PageLimit50), and the page asked for when the caller names none. */
export const QUESTION_PAGE_LIMIT = 50;
/** The most ids one lookup takes (`questionIds`, `answerIds`). */
export const MAX_LOOKUP_IDS = 50;

const YEAR_MONTH_DAY = /^\d{4}-\d{2}-\d{2}$/;
const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 1;

export interface QuestionMethodsDeps {
  businessId: number;
  /** A read through the client's one retry point. */
  read: Read;
  /** Sends a write once and returns its 2xx answer, or throws the typed error (the client's write path). */
  write: (req: ApiRequest) => Promise<RawResponse>;
  log: Logger;
  /** The client's shutdown signal: a write aborted while it waited was not sent. */
  signal: AbortSignal | undefined;
}

/** The unique ids of a lookup; throws on a value that is not an id or on more than 50. */
function lookupIds(ids: readonly number[], what: string): number[] {
  const unique = [...new Set(ids)];
  const bad = unique.find((v) => !isId(v));
  if (bad !== undefined) throw new TypeError(`${what} needs positive integer ids, got ${String(bad)}`);
  if (unique.length > MAX_LOOKUP_IDS) {
    throw new RangeError(`${what} takes at most ${MAX_LOOKUP_IDS} ids at once, got ${unique.length}`);
  }
  return unique;
}

function day(value: string, what: string): string {
  if (!YEAR_MONTH_DAY.test(value)) throw new TypeError(`questions needs '${what}' as YYYY-MM-DD, got '${value}'`);
  return value;
}

function entityId(entity: QuestionTextEntity): QuestionTextEntity {
  if (!isId(entity.id)) throw new TypeError(`writeQuestionText needs a positive integer id, got ${String(entity.id)}`);
  return { id: entity.id, type: entity.type };
}

/** The body of updateGoodsQuestionTextEntity, exactly as REVIEWS-QUESTIONS.md §4.3's table has it. */
export function questionTextBody(op: QuestionTextOperation): Record<string, unknown> {
  switch (op.operation) {
    case 'CREATE':
      return { operationType: 'CREATE', parentEntityId: entityId(op.parent), text: op.text };
    case 'UPDATE':
      return { operationType: 'UPDATE', entityId: entityId(op.entity), text: op.text };
    case 'DELETE':
      return { operationType: 'DELETE', entityId: entityId(op.entity) };
  }
}

const page = <T>(items: T[], nextPageToken: string | undefined): Page<T> =>
  nextPageToken !== undefined ? { items, nextPageToken } : { items };

/** The question methods of one cabinet. */
export class QuestionMethods {
  readonly #deps: QuestionMethodsDeps;

  constructor(deps: QuestionMethodsDeps) {
    this.#deps = deps;
  }

  /**
   * One page of questions (getGoodsQuestions) with how many match. Without `from` and `to` the Market looks at the
   * month before today; whether that window also limits a lookup by `ids` is undocumented, so a question older than
   * a month is looked up with `from`/`to` around its creation (e.g. its notification's `createdAt`). Empty `ids`
   * match nothing and cost no request. `limit` is clamped to 1–50, default 50.
   */
  async questions(query: QuestionQuery): Promise<Page<Question> & { totalCount: number }> {
    const body: Record<string, unknown> = {};
    if (query.ids !== undefined) {
      const ids = lookupIds(query.ids, 'questions');
      if (ids.length === 0) return { items: [], totalCount: 0 };
      body['questionIds'] = ids;
    }
    if (query.needAnswer !== undefined) body['needAnswer'] = query.needAnswer;
    if (query.from !== undefined) body['dateFrom'] = day(query.from, 'from');
    if (query.to !== undefined) body['dateTo'] = day(query.to, 'to');
    if (query.sort !== undefined) body['sort'] = query.sort;
    const limit = Math.min(QUESTION_PAGE_LIMIT, Math.max(1, Math.floor(query.limit ?? QUESTION_PAGE_LIMIT)));
    const res = await this.#deps.read(
      {
        operation: 'getGoodsQuestions',
        method: 'POST',
        path: this.#path(''),
        query: { pageToken: query.pageToken, limit },
        json: body,
      },
      getQuestionsResponseSchema,
    );
    return { ...page(res.result.questions, res.result.paging), totalCount: res.result.totalCount };
  }

  /**
   * One page (of 50) of answers (getGoodsQuestionAnswers), each with its embedded comments: a question's answers,
   * or the answers with these ids. A question the Market no longer knows (404) has none; empty `answerIds` match
   * nothing and cost no request.
   */
  async answers(query: { questionId: number } | { answerIds: number[] }, pageToken?: string): Promise<Page<Answer>> {
    let json: Record<string, unknown>;
    if ('answerIds' in query) {
      const ids = lookupIds(query.answerIds, 'answers');
      if (ids.length === 0) return { items: [] };
      json = { answerIds: ids };
    } else {
      if (!isId(query.questionId)) {
        throw new TypeError(`answers needs a positive integer questionId, got ${String(query.questionId)}`);
      }
      json = { questionId: query.questionId };
    }
    try {
      const res = await this.#deps.read(
        {
          operation: 'getGoodsQuestionAnswers',
          method: 'POST',
          path: this.#path('/answers'),
          query: { pageToken, limit: QUESTION_PAGE_LIMIT },
          json,
        },
        getAnswersResponseSchema,
      );
      return page(res.result.answers, res.result.paging);
    } catch (err) {
      if ('questionId' in json && err instanceof MarketApiError && err.status === 404) {
        this.#deps.log.debug(
          { operation: 'getGoodsQuestionAnswers', questionId: json['questionId'] },
          'no such question',
        );
        return { items: [] };
      }
      throw err;
    }
  }

  /**
   * Creates, edits or deletes an answer or a comment (updateGoodsQuestionTextEntity). Sent at most once; a CREATE is
   * answered with the new entity, UPDATE and DELETE with nothing. A CREATE the Market took whose answer carries no
   * readable id is `ambiguous`: the text is there, but the caller has to find it. Only a fatal error (401/403) or a
   * bug is thrown.
   */
  async writeQuestionText(
    op: QuestionTextOperation,
    options: SendOptions = {},
  ): Promise<WriteOutcome<QuestionTextEntity | undefined>> {
    const operation = 'updateGoodsQuestionTextEntity';
    const json = questionTextBody(op);
    const log = this.#deps.log;
    try {
      const res = await this.#deps.write({
        operation,
        method: 'POST',
        path: this.#path('/update'),
        json,
        beforeSend: options.beforeSend,
      });
      if (op.operation !== 'CREATE') {
        this.#expectEmpty(res);
        return { kind: 'sent', result: undefined };
      }
      let entity: { id: number; type?: QuestionTextEntity['type'] | undefined };
      try {
        entity = parseAnswer(operation, res, createdEntityResponseSchema).result.entity;
      } catch (err) {
        if (!(err instanceof MarketSchemaError)) throw err;
        log.warn({ operation, status: res.status, err }, 'Market took the new text but its answer has no readable id');
        return { kind: 'ambiguous', reason: 'the Market took the text, but its answer had no readable id' };
      }
      return {
        kind: 'sent',
        result: { id: entity.id, type: entity.type ?? (op.parent.type === 'QUESTION' ? 'ANSWER' : 'COMMENT') },
      };
    } catch (err) {
      const outcome = failureOutcome(err, this.#deps.signal);
      if (outcome === undefined) throw err;
      log.info({ operation, outcome: outcome.kind, reason: outcome.reason }, 'Market write not delivered');
      return outcome;
    }
  }

  #expectEmpty(res: RawResponse): void {
    try {
      parseAnswer('updateGoodsQuestionTextEntity', res, emptyApiResponseSchema);
    } catch {
      this.#deps.log.warn(
        { operation: 'updateGoodsQuestionTextEntity', status: res.status },
        'Market accepted the write with an unexpected body',
      );
    }
  }

  #path(suffix: string): string {
    return `/v1/businesses/${this.#deps.businessId}/goods-questions${suffix}`;
  }
}
