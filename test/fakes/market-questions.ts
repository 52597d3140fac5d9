/**
 * The product questions of the fake Market (market-server.ts): questions buyers ask about the shop's goods, the
 * answers to them and the comments on answers, served by the three question methods of the Partner API
 * (REVIEWS-QUESTIONS.md §4, spec commit 1318e9b): getGoodsQuestions, getGoodsQuestionAnswers and
 * updateGoodsQuestionTextEntity, all `POST /v1/businesses/{businessId}/goods-questions…`. The fake Market routes,
 * authenticates, charges the quota (1 000/h for each read, 500/h for update: the spec's `none` tier) and injects
 * faults (`failNext`, `acceptThenReset` included) for them as for the chat methods; this module owns their state,
 * their answers and the test's handle on them (`market.questions`). The spec's constants and the types tests use are
 * in market-question-types.ts, the reading of requests in market-question-requests.ts.
 *
 * Tests build the world with `addQuestion`/`addAnswer`/`addAnswerComment` (delete with `deleteQuestion`,
 * `deleteAnswer`, `deleteAnswerComment`; moderate with `setStatus`), inspect it with `questionsOf`/`answersOf`, see
 * the client's writes in `writes` and the QUESTION_* notifications the Market would send in `notifications` (and
 * through `onNotification`, e.g. to post them to the bridge).
 *
 * Where the spec is silent the fake decides, and the undocumented choices are options:
 * - getGoodsQuestions: `dateFrom`/`dateTo` are Moscow days, both included; without them the window is the month
 *   before today, and a period longer than a month (the same day of the month before `dateTo`) is 400. Whether the
 *   default window also limits a `questionIds` lookup is `questionIdsInDateWindow` (default false: a lookup by id
 *   finds a question of any age; explicit dates always apply). The order without `sort` is `defaultSort` (default
 *   CREATED_AT_DESC); ties go by id in the same direction. `totalCount` counts every page. Unknown ids are skipped.
 * - A question needs an answer (`needAnswer`) until it has an answer by the shop (author BUSINESS) that is neither
 *   deleted nor BANNED.
 * - getGoodsQuestionAnswers: `questionId` or `answerIds`, not both (400); an unknown or deleted question is 404,
 *   unknown answer ids are skipped. Answers and comments go oldest first; an answer embeds its first 100 comments.
 * - updateGoodsQuestionTextEntity: CREATE needs `parentEntityId` (QUESTION: an answer, ANSWER: a comment) and
 *   `text`; UPDATE needs `entityId` and `text`, DELETE `entityId`; a field the operation does not use is 400. A comment
 *   on a COMMENT is `commentReplies`: refused with 400 (default) or accepted as a comment on the same answer with
 *   that `parentId`. A QUESTION cannot be updated or deleted (400); an entity that is not the shop's (`canModify`
 *   false) is 400, not 403, which a client would read as a problem of its key; an unknown or deleted one is 404.
 *   The shop's new texts start as `newTextStatus` (default PUBLISHED) and are listed at once.
 * - Deleted questions, answers and comments (by the shop or by a helper) are left out of every list and 404 to
 *   writes; deleting an answer hides its comments, deleting a comment leaves the replies to it.
 * - Notifications are sent for every question, answer and comment created, by a helper or through the API;
 *   `notifyOwnWrites: false` keeps quiet about the shop's own (whether the Market reports them is undocumented).
 */
import { QuestionRequestReader, isPositiveInt, type Reject, type TypedEntityId } from './market-question-requests.ts';
import {
  MAX_EMBEDDED_COMMENTS,
  MAX_QUESTION_TEXT_LENGTH,
  QUESTION_SORTS,
  type FakeAnswer,
  type FakeAnswerInput,
  type FakeAuthorInput,
  type FakeCommentInput,
  type FakeQuestion,
  type FakeQuestionInput,
  type FakeQuestionsOptions,
  type QuestionNotification,
  type QuestionOperationId,
  type QuestionSort,
  type QuestionWriteRecord,
} from './market-question-types.ts';

/** What the fake Market gives its question state. */
export interface FakeQuestionsDeps {
  businessId: number;
  now: () => number;
  /** Makes the error the fake Market answers as an ApiErrorResponse with that status. */
  reject: Reject;
}

// ---------------------------------------------------------------------------------------------------
// Internals

const FIRST_QUESTION_ID = 4000001;
const FIRST_ANSWER_ID = 5000001;
const FIRST_COMMENT_ID = 6000001;
const MSK_OFFSET_MS = 3 * 60 * 60 * 1000;

/** The Partner API's date-time form: `2025-01-01T10:00:00+03:00`. */
const apiDate = (ms: number): string => `${new Date(ms + MSK_OFFSET_MS).toISOString().slice(0, 19)}+03:00`;
/** A notification's time: ISO 8601 in UTC, as the notification API writes it. */
const iso = (ms: number): string => new Date(ms).toISOString();

interface Author {
  type: string;
  name?: string;
}
interface Votes {
  likes: number;
  dislikes: number;
}
interface QuestionState {
  readonly id: number;
  readonly offerId: string;
  readonly categoryId?: number;
  readonly text: string;
  readonly author: Author;
  readonly createdAtMs: number;
  readonly votes: Votes;
  deleted: boolean;
}
interface TextState {
  readonly id: number;
  text: string;
  readonly author: Author;
  status: string;
  readonly createdAtMs: number;
  readonly canModify: boolean;
  readonly votes: Votes;
  deleted: boolean;
}
interface AnswerState extends TextState {
  readonly questionId: number;
}
interface CommentState extends TextState {
  readonly answerId: number;
  readonly parentId?: number;
}

const byAge = (a: { createdAtMs: number; id: number }, b: { createdAtMs: number; id: number }) =>
  a.createdAtMs - b.createdAtMs || a.id - b.id;

const authorDto = (a: Author) => ({ type: a.type, ...(a.name !== undefined && { name: a.name }) });

function parseTime(value: string | undefined, nowMs: number, caller: string): number {
  if (value === undefined) return nowMs;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`FakeMarket.questions.${caller}: bad createdAt ${value}`);
  return ms;
}

function author(input: FakeAuthorInput | undefined): Author {
  if (input === undefined) return { type: 'USER', name: 'Buyer' };
  return { type: input.type ?? 'USER', ...(input.name !== undefined && { name: input.name }) };
}

/** The question state of one fake Market: its three methods and the helpers tests use. */
export class FakeQuestions {
  /** The client's writes that took effect, in order. */
  readonly writes: QuestionWriteRecord[] = [];
  /** Every QUESTION_* notification due so far, in order. */
  readonly notifications: QuestionNotification[] = [];

  private readonly businessId: number;
  private readonly now: () => number;
  private readonly reject: Reject;
  private readonly read: QuestionRequestReader;
  private readonly defaultSort: QuestionSort;
  private readonly questionIdsInDateWindow: boolean;
  private readonly commentReplies: 'refuse' | 'accept';
  private readonly newTextStatus: string;
  private readonly shopName: string;
  private readonly notifyOwnWrites: boolean;
  private readonly onNotification: ((n: QuestionNotification) => void) | undefined;
  private readonly questions = new Map<number, QuestionState>();
  private readonly answers = new Map<number, AnswerState>();
  private readonly comments = new Map<number, CommentState>();
  private nextQuestionId = FIRST_QUESTION_ID;
  private nextAnswerId = FIRST_ANSWER_ID;
  private nextCommentId = FIRST_COMMENT_ID;

  constructor(deps: FakeQuestionsDeps, options: FakeQuestionsOptions = {}) {
    this.businessId = deps.businessId;
    this.now = deps.now;
    this.reject = deps.reject;
    this.read = new QuestionRequestReader(deps.reject);
    this.defaultSort = options.defaultSort ?? 'CREATED_AT_DESC';
    this.questionIdsInDateWindow = options.questionIdsInDateWindow ?? false;
    this.commentReplies = options.commentReplies ?? 'refuse';
    this.newTextStatus = options.newTextStatus ?? 'PUBLISHED';
    this.shopName = options.shopName ?? 'Test shop';
    this.notifyOwnWrites = options.notifyOwnWrites ?? true;
    this.onNotification = options.onNotification;
  }

  // --- world set-up ---------------------------------------------------------------------------------

  /** Adds a buyer's question and returns its id; notifies QUESTION_CREATED. */
  addQuestion(input: FakeQuestionInput = {}): number {
    const id = input.questionId ?? this.nextQuestionId;
    if (!isPositiveInt(id)) throw new Error(`FakeMarket.questions.addQuestion: bad questionId ${String(id)}`);
    if (this.questions.has(id)) throw new Error(`FakeMarket.questions.addQuestion: question ${id} already exists`);
    const offerId = input.offerId ?? 'SKU-1';
    if (offerId.trim() === '' || offerId.length > 255) throw new Error('FakeMarket.questions.addQuestion: bad offerId');
    if (input.categoryId !== undefined && !(Number.isSafeInteger(input.categoryId) && input.categoryId >= 0)) {
      throw new Error('FakeMarket.questions.addQuestion: categoryId must be an integer ≥ 0');
    }
    const createdAtMs = parseTime(input.createdAt, this.now(), 'addQuestion');
    this.questions.set(id, {
      id,
      offerId,
      ...(input.categoryId !== undefined && { categoryId: input.categoryId }),
      text: input.text ?? 'Is it waterproof?',
      author: author(input.author),
      createdAtMs,
      votes: { ...(input.votes ?? { likes: 0, dislikes: 0 }) },
      deleted: false,
    });
    this.nextQuestionId = Math.max(this.nextQuestionId, id + 1);
    this.notify({
      notificationType: 'QUESTION_CREATED',
      questionId: id,
      businessId: this.businessId,
      createdAt: iso(createdAtMs),
    });
    return id;
  }

  /** Adds an answer to a question and returns its id; notifies QUESTION_ANSWER_CREATED. */
  addAnswer(questionId: number, input: FakeAnswerInput = {}): number {
    if (!this.questions.has(questionId)) throw new Error(`FakeMarket.questions.addAnswer: no question ${questionId}`);
    const id = input.answerId ?? this.nextAnswerId;
    if (!isPositiveInt(id) || this.answers.has(id))
      throw new Error(`FakeMarket.questions.addAnswer: bad answerId ${id}`);
    const state = this.textState(id, input, 'addAnswer');
    this.answers.set(id, { ...state, questionId });
    this.nextAnswerId = Math.max(this.nextAnswerId, id + 1);
    this.notifyAnswer(id, state.createdAtMs);
    return id;
  }

  /** Adds a comment on an answer and returns its id; notifies QUESTION_COMMENT_CREATED. */
  addAnswerComment(answerId: number, input: FakeCommentInput = {}): number {
    if (!this.answers.has(answerId)) throw new Error(`FakeMarket.questions.addAnswerComment: no answer ${answerId}`);
    const id = input.commentId ?? this.nextCommentId;
    if (!isPositiveInt(id) || this.comments.has(id)) {
      throw new Error(`FakeMarket.questions.addAnswerComment: bad commentId ${id}`);
    }
    if (input.parentId !== undefined && this.comments.get(input.parentId)?.answerId !== answerId) {
      throw new Error(`FakeMarket.questions.addAnswerComment: no comment ${input.parentId} on answer ${answerId}`);
    }
    const state = this.textState(id, input, 'addAnswerComment');
    this.comments.set(id, {
      ...state,
      answerId,
      ...(input.parentId !== undefined && { parentId: input.parentId }),
    });
    this.nextCommentId = Math.max(this.nextCommentId, id + 1);
    this.notifyComment(answerId, id, state.createdAtMs);
    return id;
  }

  /** The buyer or the Market deleted a question: it leaves the lists, and its answers 404. */
  deleteQuestion(questionId: number): void {
    this.require(this.questions, questionId, 'deleteQuestion').deleted = true;
  }

  /** An answer is deleted (by its author or the Market): it and its comments leave the lists. */
  deleteAnswer(answerId: number): void {
    this.require(this.answers, answerId, 'deleteAnswer').deleted = true;
  }

  /** A comment is deleted: it leaves its answer's comments; replies to it stay. */
  deleteAnswerComment(commentId: number): void {
    this.require(this.comments, commentId, 'deleteAnswerComment').deleted = true;
  }

  /** The Market's moderation changed an answer's or a comment's status (any string, to test tolerance). */
  setStatus(entity: { id: number; type: 'ANSWER' | 'COMMENT' }, status: string): void {
    const target: TextState =
      entity.type === 'ANSWER'
        ? this.require(this.answers, entity.id, 'setStatus')
        : this.require(this.comments, entity.id, 'setStatus');
    target.status = status;
  }

  // --- inspection -----------------------------------------------------------------------------------

  /** Every question (deleted ones included), oldest first; only those about `offerId` when given. */
  questionsOf(offerId?: string): FakeQuestion[] {
    return [...this.questions.values()]
      .filter((q) => offerId === undefined || q.offerId === offerId)
      .sort(byAge)
      .map((q) => ({
        questionId: q.id,
        offerId: q.offerId,
        ...(q.categoryId !== undefined && { categoryId: q.categoryId }),
        text: q.text,
        author: { ...q.author },
        createdAt: apiDate(q.createdAtMs),
        deleted: q.deleted,
        needsAnswer: this.needsAnswer(q),
      }));
  }

  /** A question's answers (deleted ones included), oldest first, each with all its comments. */
  answersOf(questionId: number): FakeAnswer[] {
    this.require(this.questions, questionId, 'answersOf');
    return [...this.answers.values()]
      .filter((a) => a.questionId === questionId)
      .sort(byAge)
      .map((a) => ({
        answerId: a.id,
        questionId: a.questionId,
        ...this.textSnapshot(a),
        comments: this.commentsOf(a.id, true).map((c) => ({
          commentId: c.id,
          answerId: c.answerId,
          ...(c.parentId !== undefined && { parentId: c.parentId }),
          ...this.textSnapshot(c),
        })),
      }));
  }

  // --- the methods ----------------------------------------------------------------------------------

  /** Answers one request of a question method with its 200 body, or throws the fake's rejection. */
  execute(
    operation: QuestionOperationId,
    query: URLSearchParams,
    contentType: string | undefined,
    raw: Buffer,
  ): unknown {
    switch (operation) {
      case 'getGoodsQuestions':
        return this.getQuestions(query, this.read.body(contentType, raw, false));
      case 'getGoodsQuestionAnswers':
        return this.getAnswers(query, this.read.body(contentType, raw, true));
      case 'updateGoodsQuestionTextEntity':
        return this.update(this.read.body(contentType, raw, true));
    }
  }

  private getQuestions(query: URLSearchParams, body: Record<string, unknown>): unknown {
    const limit = this.read.limit(query);
    const questionIds = this.read.array(body, 'questionIds', isPositiveInt, 50);
    const categoryIds = this.read.array(
      body,
      'categoryIds',
      (v): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0,
    );
    const needAnswer = this.read.optionalBoolean(body, 'needAnswer') ?? false;
    const sort = this.read.oneOf(body, 'sort', QUESTION_SORTS) ?? this.defaultSort;
    const window = this.read.window(body, this.now(), questionIds === undefined || this.questionIdsInDateWindow);
    const offset = this.read.offset(query, 'questions', { s: sort });

    const direction = sort === 'CREATED_AT_ASC' ? 1 : -1;
    const matching = [...this.questions.values()]
      .filter(
        (q) =>
          !q.deleted &&
          (!questionIds || questionIds.includes(q.id)) &&
          (!categoryIds || (q.categoryId !== undefined && categoryIds.includes(q.categoryId))) &&
          (!window || (q.createdAtMs >= window.fromMs && q.createdAtMs < window.toMs)) &&
          (!needAnswer || this.needsAnswer(q)),
      )
      .sort((a, b) => direction * byAge(a, b));
    const page = matching.slice(offset, offset + limit);
    const next =
      offset + limit < matching.length
        ? QuestionRequestReader.token('questions', offset + limit, { s: sort })
        : undefined;
    return {
      status: 'OK',
      result: {
        questions: page.map((q) => this.questionDto(q)),
        paging: next === undefined ? {} : { nextPageToken: next },
        totalCount: matching.length,
      },
    };
  }

  private getAnswers(query: URLSearchParams, body: Record<string, unknown>): unknown {
    const limit = this.read.limit(query);
    const questionId = this.read.id(body, 'questionId');
    const answerIds = this.read.array(body, 'answerIds', isPositiveInt, 50);
    if (questionId === undefined && answerIds === undefined) {
      throw this.read.bad("Either 'questionId' or 'answerIds' is required");
    }
    if (questionId !== undefined && answerIds !== undefined) {
      throw this.read.bad("'questionId' and 'answerIds' cannot be combined");
    }
    if (questionId !== undefined) this.liveQuestion(questionId);
    const offset = this.read.offset(query, 'answers');
    const matching = [...this.answers.values()]
      .filter(
        (a) =>
          !a.deleted &&
          this.questions.get(a.questionId)?.deleted === false &&
          (questionId === undefined || a.questionId === questionId) &&
          (!answerIds || answerIds.includes(a.id)),
      )
      .sort(byAge);
    const page = matching.slice(offset, offset + limit);
    const next = offset + limit < matching.length ? QuestionRequestReader.token('answers', offset + limit) : undefined;
    return {
      status: 'OK',
      result: {
        answers: page.map((a) => this.answerDto(a)),
        paging: next === undefined ? {} : { nextPageToken: next },
      },
    };
  }

  private update(body: Record<string, unknown>): unknown {
    const operation = this.read.oneOf(body, 'operationType', ['CREATE', 'UPDATE', 'DELETE'] as const);
    if (operation === undefined) throw this.read.bad("'operationType' is required");
    const entityId = this.read.entityId(body, 'entityId');
    const parentEntityId = this.read.entityId(body, 'parentEntityId');
    if (operation === 'CREATE') {
      if (entityId !== undefined) throw this.read.bad("'entityId' is not used by CREATE");
      if (parentEntityId === undefined) throw this.read.bad("'parentEntityId' is required for CREATE");
      const text = this.read.text(body, 'text', MAX_QUESTION_TEXT_LENGTH);
      return { status: 'OK', result: { entity: this.create(parentEntityId, text) } };
    }
    if (parentEntityId !== undefined) throw this.read.bad(`'parentEntityId' is not used by ${operation}`);
    if (entityId === undefined) throw this.read.bad(`'entityId' is required for ${operation}`);
    if (entityId.type === 'QUESTION') throw this.read.bad(`A question cannot be changed by the shop (${operation})`);
    if (operation === 'DELETE' && body['text'] !== undefined && body['text'] !== null) {
      throw this.read.bad("'text' is not used by DELETE");
    }
    const text = operation === 'UPDATE' ? this.read.text(body, 'text', MAX_QUESTION_TEXT_LENGTH) : undefined;
    const target = this.modifiable(entityId);
    if (text !== undefined) target.text = text;
    else target.deleted = true;
    this.writes.push({ operation, entity: entityId, ...(text !== undefined && { text }), at: this.now() });
    return { status: 'OK' };
  }

  private create(parent: TypedEntityId, text: string): TypedEntityId {
    const at = this.now();
    const shop: Author = { type: 'BUSINESS', name: this.shopName };
    const own = {
      text,
      author: shop,
      status: this.newTextStatus,
      createdAtMs: at,
      canModify: true,
      votes: { likes: 0, dislikes: 0 },
      deleted: false,
    };
    let entity: TypedEntityId;
    if (parent.type === 'QUESTION') {
      const question = this.liveQuestion(parent.id);
      const id = this.nextAnswerId++;
      this.answers.set(id, { id, questionId: question.id, ...own });
      entity = { id, type: 'ANSWER' };
      if (this.notifyOwnWrites) this.notifyAnswer(id, at);
    } else {
      let answerId = parent.id;
      let parentId: number | undefined;
      if (parent.type === 'COMMENT') {
        if (this.commentReplies === 'refuse') {
          throw this.read.bad("'parentEntityId.type' must be QUESTION or ANSWER for CREATE");
        }
        const comment = this.comments.get(parent.id);
        if (!comment || comment.deleted) throw this.reject(404, `Comment ${parent.id} not found`);
        answerId = comment.answerId;
        parentId = comment.id;
      }
      this.liveAnswer(answerId);
      const id = this.nextCommentId++;
      this.comments.set(id, { id, answerId, ...(parentId !== undefined && { parentId }), ...own });
      entity = { id, type: 'COMMENT' };
      if (this.notifyOwnWrites) this.notifyComment(answerId, id, at);
    }
    this.writes.push({ operation: 'CREATE', entity, parent, text, at });
    return entity;
  }

  // --- state helpers ----------------------------------------------------------------------------------

  private needsAnswer(q: QuestionState): boolean {
    return ![...this.answers.values()].some(
      (a) =>
        a.questionId === q.id &&
        !a.deleted &&
        a.author.type === 'BUSINESS' &&
        a.status !== 'BANNED' &&
        a.status !== 'DELETED',
    );
  }

  private liveQuestion(id: number): QuestionState {
    const question = this.questions.get(id);
    if (!question || question.deleted) throw this.reject(404, `Question ${id} not found`);
    return question;
  }

  private liveAnswer(id: number): AnswerState {
    const answer = this.answers.get(id);
    if (!answer || answer.deleted || this.questions.get(answer.questionId)?.deleted !== false) {
      throw this.reject(404, `Answer ${id} not found`);
    }
    return answer;
  }

  /** The shop's own answer or comment an UPDATE or DELETE names. */
  private modifiable(entity: TypedEntityId): TextState {
    let target: TextState;
    if (entity.type === 'ANSWER') {
      target = this.liveAnswer(entity.id);
    } else {
      const comment = this.comments.get(entity.id);
      if (!comment || comment.deleted) throw this.reject(404, `Comment ${entity.id} not found`);
      this.liveAnswer(comment.answerId);
      target = comment;
    }
    if (!target.canModify) {
      throw this.read.bad(
        `${entity.type === 'ANSWER' ? 'Answer' : 'Comment'} ${entity.id} cannot be modified by the shop`,
      );
    }
    return target;
  }

  private commentsOf(answerId: number, withDeleted: boolean): CommentState[] {
    return [...this.comments.values()]
      .filter((c) => c.answerId === answerId && (withDeleted || !c.deleted))
      .sort(byAge);
  }

  private textState(id: number, input: FakeAnswerInput, caller: string): TextState {
    const who = author(input.author);
    return {
      id,
      text: input.text ?? 'Yes, it is.',
      author: who,
      status: input.status ?? 'PUBLISHED',
      createdAtMs: parseTime(input.createdAt, this.now(), caller),
      canModify: input.canModify ?? who.type === 'BUSINESS',
      votes: { ...(input.votes ?? { likes: 0, dislikes: 0 }) },
      deleted: false,
    };
  }

  private textSnapshot(t: TextState) {
    return {
      text: t.text,
      author: { ...t.author },
      status: t.status,
      createdAt: apiDate(t.createdAtMs),
      canModify: t.canModify,
      deleted: t.deleted,
    };
  }

  private require<T>(map: Map<number, T>, id: number, caller: string): T {
    const item = map.get(id);
    if (item === undefined) throw new Error(`FakeMarket.questions.${caller}: no such id ${id}`);
    return item;
  }

  private notifyAnswer(answerId: number, atMs: number): void {
    this.notify({
      notificationType: 'QUESTION_ANSWER_CREATED',
      answerId,
      businessId: this.businessId,
      createdAt: iso(atMs),
    });
  }

  private notifyComment(answerId: number, commentId: number, atMs: number): void {
    this.notify({
      notificationType: 'QUESTION_COMMENT_CREATED',
      answerId,
      commentId,
      businessId: this.businessId,
      createdAt: iso(atMs),
    });
  }

  private notify(notification: QuestionNotification): void {
    this.notifications.push(notification);
    this.onNotification?.(notification);
  }

  // --- DTOs (the spec's shapes) -------------------------------------------------------------------------

  private questionDto(q: QuestionState): Record<string, unknown> {
    return {
      questionIdentifiers: {
        id: q.id,
        offerId: q.offerId,
        ...(q.categoryId !== undefined && { categoryId: q.categoryId }),
      },
      businessId: this.businessId,
      text: q.text,
      createdAt: apiDate(q.createdAtMs),
      votes: { ...q.votes },
      author: authorDto(q.author),
    };
  }

  private answerDto(a: AnswerState): Record<string, unknown> {
    return {
      id: a.id,
      questionId: a.questionId,
      text: a.text,
      canModify: a.canModify,
      author: authorDto(a.author),
      status: a.status,
      createdAt: apiDate(a.createdAtMs),
      votes: { ...a.votes },
      comments: this.commentsOf(a.id, false)
        .slice(0, MAX_EMBEDDED_COMMENTS)
        .map((c) => ({
          id: c.id,
          answerId: c.answerId,
          ...(c.parentId !== undefined && { parentId: c.parentId }),
          text: c.text,
          canModify: c.canModify,
          author: authorDto(c.author),
          status: c.status,
          createdAt: apiDate(c.createdAtMs),
          votes: { ...c.votes },
        })),
    };
  }
}
