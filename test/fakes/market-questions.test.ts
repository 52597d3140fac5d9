/**
 * Proves the fake Market's product questions (market-questions.ts) follow the Partner API spec closely enough for
 * the client's tests to trust them: every body checked against the copied spec, the filters, the creation window,
 * sorting and paging of getGoodsQuestions, the answers with their embedded comments, the writes, the errors, the
 * quotas, the faults, and the notifications the Market would send. Talks to the fake with plain `fetch` on loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { errorProblems, requestProblems, responseProblems } from '../contract/partner-spec.ts';
import { requestSchemaCheck } from '../contract/spec-examples.ts';
import { type FakeMarket, type FakeMarketOptions, startFakeMarket } from './market-server.ts';
import type { FakeQuestionsOptions, QuestionNotification } from './market-question-types.ts';

const API_KEY = 'ACMA:fake-key-for-tests:12345678';
const BUSINESS_ID = 77;
/** 12:00 in Moscow on 2025-03-15. */
const T = Date.parse('2025-03-15T09:00:00Z');
const DAY = 24 * 60 * 60 * 1000;

type Body = Record<string, unknown>;
interface QuestionList {
  questions: Array<{ questionIdentifiers: { id: number; offerId: string; categoryId?: number } } & Body>;
  paging: { nextPageToken?: string };
  totalCount: number;
}
interface AnswerDto extends Body {
  id: number;
  questionId: number;
  canModify: boolean;
  comments: Array<{ id: number; parentId?: number } & Body>;
}

let market: FakeMarket | undefined;
let clock = T;

async function start(questions: FakeQuestionsOptions = {}, options: Partial<FakeMarketOptions> = {}) {
  clock = T;
  market = await startFakeMarket({ apiKey: API_KEY, businessId: BUSINESS_ID, now: () => clock, questions, ...options });
  return market;
}

afterEach(async () => {
  await market?.close();
  market = undefined;
});

function fm(): FakeMarket {
  if (!market) throw new Error('start() first');
  return market;
}

const path = (rest: string) => `/v1/businesses/${BUSINESS_ID}/goods-questions${rest}`;

function post(rest: string, json?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const all: Record<string, string> = { 'Api-Key': API_KEY, ...headers };
  if (json !== undefined) all['Content-Type'] ??= 'application/json';
  for (const [k, v] of Object.entries(all)) if (v === '') delete all[k];
  return fetch(`${fm().url}${path(rest)}`, {
    method: 'POST',
    headers: all,
    ...(json !== undefined && { body: typeof json === 'string' ? json : JSON.stringify(json) }),
  });
}

async function ok<T>(res: Response): Promise<T> {
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

async function expectError(res: Response, status: number, message?: string | RegExp): Promise<Body> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { status: string; errors?: Array<{ code: string; message?: string }> };
  expect(body.status).toBe('ERROR');
  if (message !== undefined) expect(body.errors?.[0]?.message).toMatch(message);
  return body;
}

async function questions(body?: unknown, query = ''): Promise<QuestionList> {
  const answer = await ok<{ status: string; result: QuestionList }>(await post(query, body));
  expect(responseProblems('getGoodsQuestions', answer)).toEqual([]);
  return answer.result;
}

const ids = (list: QuestionList) => list.questions.map((q) => q.questionIdentifiers.id);

async function answers(
  body: unknown,
  query = '',
): Promise<{ answers: AnswerDto[]; paging: { nextPageToken?: string } }> {
  const answer = await ok<{ result: { answers: AnswerDto[]; paging: { nextPageToken?: string } } }>(
    await post(`/answers${query}`, body),
  );
  expect(responseProblems('getGoodsQuestionAnswers', answer)).toEqual([]);
  return answer.result;
}

const update = (body: unknown) => post('/update', body);

/** A day in Moscow, `days` after T's (negative: before). */
const at = (days: number, time = '12:00:00') =>
  `${new Date(T + days * DAY + 3 * 3600_000).toISOString().slice(0, 10)}T${time}+03:00`;

describe('getGoodsQuestions', () => {
  it('serves QuestionDTOs in the ApiResponse envelope, as the spec says, with totalCount', async () => {
    await start();
    const q = fm().questions.addQuestion({
      offerId: 'KETTLE-1',
      categoryId: 90586,
      text: 'Does it switch off by itself?',
      author: { type: 'USER', name: 'Ivan' },
      createdAt: at(-1),
      votes: { likes: 3, dislikes: 1 },
    });
    const answer = await ok<Body>(await post(''));
    expect(responseProblems('getGoodsQuestions', answer)).toEqual([]);
    expect(answer).toEqual({
      status: 'OK',
      result: {
        questions: [
          {
            questionIdentifiers: { id: q, offerId: 'KETTLE-1', categoryId: 90586 },
            businessId: BUSINESS_ID,
            text: 'Does it switch off by itself?',
            createdAt: '2025-03-14T12:00:00+03:00',
            votes: { likes: 3, dislikes: 1 },
            author: { type: 'USER', name: 'Ivan' },
          },
        ],
        paging: {},
        totalCount: 1,
      },
    });
  });

  it('takes no body or an empty one, and refuses a body that is not JSON (400) or not sent as JSON (415)', async () => {
    await start();
    fm().questions.addQuestion();
    expect(ids(await questions())).toHaveLength(1);
    expect(ids(await questions({}))).toHaveLength(1);
    await expectError(await post('', '{"needAnswer":', {}), 400, /not valid JSON/);
    await expectError(await post('', '[]'), 400, /JSON object/);
    await expectError(await post('', '{}', { 'Content-Type': 'text/plain' }), 415);
  });

  it('lists the month before today by default; dateFrom and dateTo are Moscow days, both included', async () => {
    await start();
    const tooOld = fm().questions.addQuestion({ createdAt: at(-29, '23:59:59') }); // 2025-02-14 in Moscow
    const monthAgo = fm().questions.addQuestion({ createdAt: '2025-02-14T21:00:00Z' }); // 2025-02-15 00:00 Moscow
    const today = fm().questions.addQuestion({ createdAt: at(0, '23:59:59') });
    expect(ids(await questions({ sort: 'CREATED_AT_ASC' }))).toEqual([monthAgo, today]);
    expect(ids(await questions({ dateFrom: '2025-02-14', dateTo: '2025-02-14' }))).toEqual([tooOld]);
    expect(ids(await questions({ dateTo: '2025-03-14', sort: 'CREATED_AT_ASC' }))).toEqual([tooOld, monthAgo]);
    expect(ids(await questions({ dateFrom: '2025-02-15', dateTo: '2025-03-15' }))).toEqual([today, monthAgo]);
  });

  it('refuses a period over a month, dateFrom after dateTo, a bad date and a dateFrom too old for today', async () => {
    await start();
    await expectError(await post('', { dateFrom: '2025-01-31', dateTo: '2025-03-01' }), 400, /1 month/);
    expect((await post('', { dateFrom: '2025-01-31', dateTo: '2025-02-28' })).status).toBe(200);
    expect((await post('', { dateFrom: '2025-02-28', dateTo: '2025-03-31' })).status).toBe(200);
    await expectError(await post('', { dateFrom: '2025-02-27', dateTo: '2025-03-31' }), 400, /1 month/);
    await expectError(await post('', { dateFrom: '2025-03-02', dateTo: '2025-03-01' }), 400, /after/);
    await expectError(await post('', { dateFrom: '2025-02-30' }), 400, /YYYY-MM-DD/);
    await expectError(await post('', { dateTo: '2025-03-01T00:00:00Z' }), 400, /YYYY-MM-DD/);
    await expectError(await post('', { dateFrom: '2025-02-01' }), 400, /1 month/);
  });

  it('finds a question by id outside the default window, unless questionIdsInDateWindow; explicit dates always apply', async () => {
    await start();
    const old = fm().questions.addQuestion({ createdAt: at(-200) });
    expect(ids(await questions({ questionIds: [old] }))).toEqual([old]);
    expect(ids(await questions({ questionIds: [old], dateTo: at(-1).slice(0, 10) }))).toEqual([]);
    await market?.close();

    await start({ questionIdsInDateWindow: true });
    const older = fm().questions.addQuestion({ createdAt: at(-200) });
    expect(ids(await questions({ questionIds: [older] }))).toEqual([]);
    const day = at(-200).slice(0, 10);
    expect(ids(await questions({ questionIds: [older], dateFrom: day, dateTo: day }))).toEqual([older]);
  });

  it('filters by questionIds and categoryIds, skipping unknown ids; refuses 51 ids, duplicates and empty arrays', async () => {
    await start();
    const a = fm().questions.addQuestion({ categoryId: 1 });
    const b = fm().questions.addQuestion({ categoryId: 2 });
    fm().questions.addQuestion();
    expect(ids(await questions({ questionIds: [a, b, 999], sort: 'CREATED_AT_ASC' }))).toEqual([a, b]);
    expect(ids(await questions({ categoryIds: [2, 0] }))).toEqual([b]);
    expect(ids(await questions({ questionIds: [a], categoryIds: [2] }))).toEqual([]);
    expect(ids(await questions({ questionIds: null, categoryIds: null })).length).toBe(3);
    const many = Array.from({ length: 51 }, (_, i) => i + 1);
    await expectError(await post('', { questionIds: many }), 400, /at most 50/);
    expect((await post('', { questionIds: many.slice(0, 50) })).status).toBe(200);
    await expectError(await post('', { questionIds: [a, a] }), 400, /unique/);
    await expectError(await post('', { questionIds: [] }), 400, /non-empty/);
    await expectError(await post('', { questionIds: [0] }), 400, /invalid value/);
    await expectError(await post('', { categoryIds: [-1] }), 400, /invalid value/);
    await expectError(await post('', { needAnswer: 'yes' }), 400, /boolean/);
    await expectError(await post('', { sort: 'NEWEST' }), 400, /CREATED_AT_DESC/);
  });

  it('needAnswer lists a question until the shop answers it; other authors and banned or deleted answers do not count', async () => {
    await start();
    const q = fm().questions.addQuestion();
    const needing = async () => ids(await questions({ needAnswer: true }));
    fm().questions.addAnswer(q, { author: { type: 'USER' } });
    fm().questions.addAnswer(q, { author: { type: 'VENDOR', name: 'Maker' } });
    fm().questions.addAnswer(q, { author: { type: 'BUSINESS' }, status: 'BANNED' });
    expect(await needing()).toEqual([q]);
    const shop = fm().questions.addAnswer(q, { author: { type: 'BUSINESS', name: 'Shop' }, status: 'UNMODERATED' });
    expect(await needing()).toEqual([]);
    expect(ids(await questions({ needAnswer: false }))).toEqual([q]);
    fm().questions.deleteAnswer(shop);
    expect(await needing()).toEqual([q]);
    expect(fm().questions.questionsOf()[0]?.needsAnswer).toBe(true);
  });

  it('sorts newest first by default (an option), oldest first on CREATED_AT_ASC, ties by id', async () => {
    await start();
    const first = fm().questions.addQuestion({ createdAt: at(-3) });
    const second = fm().questions.addQuestion({ createdAt: at(-2) });
    const twin = fm().questions.addQuestion({ createdAt: at(-2) });
    expect(ids(await questions())).toEqual([twin, second, first]);
    expect(ids(await questions({ sort: 'CREATED_AT_DESC' }))).toEqual([twin, second, first]);
    expect(ids(await questions({ sort: 'CREATED_AT_ASC' }))).toEqual([first, second, twin]);
    await market?.close();
    await start({ defaultSort: 'CREATED_AT_ASC' });
    const a = fm().questions.addQuestion({ createdAt: at(-3) });
    const b = fm().questions.addQuestion({ createdAt: at(-2) });
    expect(ids(await questions())).toEqual([a, b]);
  });

  it('pages by limit (default 25, at most 50) with pageToken or page_token, totalCount on every page', async () => {
    await start();
    const all = Array.from({ length: 60 }, (_, i) => fm().questions.addQuestion({ createdAt: at(-20 + i / 10) }));
    const first = await questions({ sort: 'CREATED_AT_ASC' });
    expect([ids(first), first.totalCount]).toEqual([all.slice(0, 25), 60]);
    const token = first.paging.nextPageToken ?? '';
    const second = await questions({ sort: 'CREATED_AT_ASC' }, `?pageToken=${token}&limit=50`);
    expect([ids(second), second.totalCount, second.paging.nextPageToken]).toEqual([all.slice(25), 60, undefined]);
    const aliased = await questions({ sort: 'CREATED_AT_ASC' }, `?page_token=${token}&limit=10`);
    expect(ids(aliased)).toEqual(all.slice(25, 35));
    await expectError(await post('?limit=51', {}), 400, 'Limit exceeded');
    await expectError(await post('?limit=0', {}), 400, 'Limit exceeded');
    await expectError(await post(`?pageToken=${token}`, { sort: 'CREATED_AT_DESC' }), 400, 'Invalid page token');
    await expectError(await post('?pageToken=garbage', {}), 400, 'Invalid page token');
  });
});

describe('getGoodsQuestionAnswers', () => {
  it('returns the answers of a question, oldest first, with their comments embedded, as the spec says', async () => {
    await start();
    const q = fm().questions.addQuestion();
    const buyer = fm().questions.addAnswer(q, {
      text: 'Mine did.',
      createdAt: at(-1),
      votes: { likes: 2, dislikes: 0 },
    });
    const shop = fm().questions.addAnswer(q, { author: { type: 'BUSINESS', name: 'Shop' }, text: 'It does.' });
    const c1 = fm().questions.addAnswerComment(shop, { text: 'Thanks!', createdAt: at(0, '12:30:00') });
    const c2 = fm().questions.addAnswerComment(shop, {
      author: { type: 'BUSINESS', name: 'Shop' },
      parentId: c1,
      text: 'You are welcome.',
      status: 'UNMODERATED',
      createdAt: at(0, '12:40:00'),
    });
    const result = await answers({ questionId: q });
    expect(result).toEqual({
      answers: [
        {
          id: buyer,
          questionId: q,
          text: 'Mine did.',
          canModify: false,
          author: { type: 'USER', name: 'Buyer' },
          status: 'PUBLISHED',
          createdAt: '2025-03-14T12:00:00+03:00',
          votes: { likes: 2, dislikes: 0 },
          comments: [],
        },
        {
          id: shop,
          questionId: q,
          text: 'It does.',
          canModify: true,
          author: { type: 'BUSINESS', name: 'Shop' },
          status: 'PUBLISHED',
          createdAt: '2025-03-15T12:00:00+03:00',
          votes: { likes: 0, dislikes: 0 },
          comments: [
            {
              id: c1,
              answerId: shop,
              text: 'Thanks!',
              canModify: false,
              author: { type: 'USER', name: 'Buyer' },
              status: 'PUBLISHED',
              createdAt: '2025-03-15T12:30:00+03:00',
              votes: { likes: 0, dislikes: 0 },
            },
            {
              id: c2,
              answerId: shop,
              parentId: c1,
              text: 'You are welcome.',
              canModify: true,
              author: { type: 'BUSINESS', name: 'Shop' },
              status: 'UNMODERATED',
              createdAt: '2025-03-15T12:40:00+03:00',
              votes: { likes: 0, dislikes: 0 },
            },
          ],
        },
      ],
      paging: {},
    });
  });

  it('finds answers by answerIds across questions, skipping unknown ids', async () => {
    await start();
    const a = fm().questions.addAnswer(fm().questions.addQuestion());
    const b = fm().questions.addAnswer(fm().questions.addQuestion());
    const found = await answers({ answerIds: [b, a, 31337] });
    expect(found.answers.map((x) => [x.id, x.questionId])).toEqual([
      [a, fm().questions.questionsOf()[0]?.questionId],
      [b, fm().questions.questionsOf()[1]?.questionId],
    ]);
  });

  it('requires a body with exactly one of questionId and answerIds; 404 for an unknown or deleted question', async () => {
    await start();
    const q = fm().questions.addQuestion();
    const a = fm().questions.addAnswer(q);
    await expectError(await post('/answers'), 400, /required/);
    await expectError(await post('/answers', {}), 400, /Either 'questionId' or 'answerIds'/);
    await expectError(await post('/answers', { questionId: q, answerIds: [a] }), 400, /cannot be combined/);
    await expectError(await post('/answers', { questionId: 0 }), 400, /int64/);
    await expectError(await post('/answers', { answerIds: Array.from({ length: 51 }, (_, i) => i + 1) }), 400, /50/);
    const missing = await post('/answers', { questionId: 31337 });
    expect(errorProblems('getGoodsQuestionAnswers', 404, await expectError(missing, 404, /Question 31337/))).toEqual(
      [],
    );
    fm().questions.deleteQuestion(q);
    await expectError(await post('/answers', { questionId: q }), 404);
    expect((await answers({ answerIds: [a] })).answers).toEqual([]);
  });

  it('leaves deleted answers and comments out; a reply to a deleted comment stays', async () => {
    await start();
    const q = fm().questions.addQuestion();
    const gone = fm().questions.addAnswer(q);
    const kept = fm().questions.addAnswer(q);
    const parent = fm().questions.addAnswerComment(kept);
    const reply = fm().questions.addAnswerComment(kept, { parentId: parent });
    fm().questions.deleteAnswer(gone);
    fm().questions.deleteAnswerComment(parent);
    const [only] = (await answers({ questionId: q })).answers;
    expect([only?.id, only?.comments.map((c) => [c.id, c.parentId])]).toEqual([kept, [[reply, parent]]]);
    expect(
      fm()
        .questions.answersOf(q)
        .map((x) => [x.answerId, x.deleted]),
    ).toEqual([
      [gone, true],
      [kept, false],
    ]);
  });

  it('embeds at most 100 comments in an answer, the oldest', async () => {
    await start();
    const a = fm().questions.addAnswer(fm().questions.addQuestion());
    const comments = Array.from({ length: 101 }, () => fm().questions.addAnswerComment(a));
    const [answer] = (await answers({ answerIds: [a] })).answers;
    expect(answer?.comments.map((c) => c.id)).toEqual(comments.slice(0, 100));
  });

  it('pages answers by limit (default 25) with pageToken', async () => {
    await start();
    const q = fm().questions.addQuestion();
    const all = Array.from({ length: 30 }, () => fm().questions.addAnswer(q));
    const first = await answers({ questionId: q });
    expect(first.answers.map((a) => a.id)).toEqual(all.slice(0, 25));
    const second = await answers({ questionId: q }, `?limit=10&pageToken=${first.paging.nextPageToken ?? ''}`);
    expect([second.answers.map((a) => a.id), second.paging.nextPageToken]).toEqual([all.slice(25), undefined]);
    await expectError(await post('/answers?limit=51', { questionId: q }), 400, 'Limit exceeded');
  });
});

describe('updateGoodsQuestionTextEntity', () => {
  it('CREATE answers a question as the shop: {entity: {id, type: ANSWER}}, listed at once, the question answered', async () => {
    await start({ shopName: 'Kettles & Co' });
    const q = fm().questions.addQuestion();
    const body = { operationType: 'CREATE', parentEntityId: { id: q, type: 'QUESTION' }, text: 'Yes, after 30 s.' };
    expect(requestProblems('updateGoodsQuestionTextEntity', body)).toEqual([]);
    const created = await ok<{ status: string; result: { entity: { id: number; type: string } } }>(await update(body));
    expect(responseProblems('updateGoodsQuestionTextEntity', created)).toEqual([]);
    expect(created).toEqual({ status: 'OK', result: { entity: { id: expect.any(Number) as number, type: 'ANSWER' } } });
    const [answer] = (await answers({ questionId: q })).answers;
    expect(answer).toMatchObject({
      id: created.result.entity.id,
      text: 'Yes, after 30 s.',
      canModify: true,
      status: 'PUBLISHED',
      author: { type: 'BUSINESS', name: 'Kettles & Co' },
      createdAt: '2025-03-15T12:00:00+03:00',
    });
    expect(ids(await questions({ needAnswer: true }))).toEqual([]);
    expect(fm().questions.writes).toEqual([
      {
        operation: 'CREATE',
        entity: created.result.entity,
        parent: { id: q, type: 'QUESTION' },
        text: 'Yes, after 30 s.',
        at: T,
      },
    ]);
  });

  it('CREATE comments on an answer (type COMMENT), in the status newTextStatus sets', async () => {
    await start({ newTextStatus: 'UNMODERATED' });
    const a = fm().questions.addAnswer(fm().questions.addQuestion());
    const created = await ok<{ result: { entity: { id: number; type: string } } }>(
      await update({ operationType: 'CREATE', parentEntityId: { id: a, type: 'ANSWER' }, text: 'Indeed.' }),
    );
    expect(created.result.entity.type).toBe('COMMENT');
    const [answer] = (await answers({ answerIds: [a] })).answers;
    expect(answer?.comments).toMatchObject([
      { id: created.result.entity.id, answerId: a, text: 'Indeed.', status: 'UNMODERATED', canModify: true },
    ]);
    expect(answer?.comments[0]).not.toHaveProperty('parentId');
  });

  it('refuses a comment on a comment with 400 by default, and takes it as a reply with parentId when configured', async () => {
    await start();
    const a = fm().questions.addAnswer(fm().questions.addQuestion());
    const c = fm().questions.addAnswerComment(a);
    const reply = { operationType: 'CREATE', parentEntityId: { id: c, type: 'COMMENT' }, text: 'Re.' };
    const refused = await expectError(await update(reply), 400, /QUESTION or ANSWER/);
    expect(errorProblems('updateGoodsQuestionTextEntity', 400, refused)).toEqual([]);
    expect(fm().questions.writes).toEqual([]);
    await market?.close();

    await start({ commentReplies: 'accept' });
    const a2 = fm().questions.addAnswer(fm().questions.addQuestion());
    const c2 = fm().questions.addAnswerComment(a2);
    const created = await ok<{ result: { entity: { id: number; type: string } } }>(
      await update({ ...reply, parentEntityId: { id: c2, type: 'COMMENT' } }),
    );
    const [answer] = (await answers({ answerIds: [a2] })).answers;
    expect(answer?.comments.map((x) => [x.id, x.parentId])).toEqual([
      [c2, undefined],
      [created.result.entity.id, c2],
    ]);
  });

  it('UPDATE and DELETE change the shop’s own answer or comment and answer {status: "OK"} without a result', async () => {
    await start();
    const q = fm().questions.addQuestion();
    const a = fm().questions.addAnswer(q, { author: { type: 'BUSINESS' } });
    const c = fm().questions.addAnswerComment(a, { author: { type: 'BUSINESS' } });
    for (const body of [
      { operationType: 'UPDATE', entityId: { id: a, type: 'ANSWER' }, text: 'Edited answer' },
      { operationType: 'UPDATE', entityId: { id: c, type: 'COMMENT' }, text: 'Edited comment' },
    ]) {
      expect(requestProblems('updateGoodsQuestionTextEntity', body)).toEqual([]);
      const answer = await ok<Body>(await update(body));
      expect(answer).toEqual({ status: 'OK' });
      expect(responseProblems('updateGoodsQuestionTextEntity', answer)).toEqual([]);
    }
    expect(fm().questions.answersOf(q)).toMatchObject([
      { text: 'Edited answer', comments: [{ text: 'Edited comment' }] },
    ]);
    expect(await ok<Body>(await update({ operationType: 'DELETE', entityId: { id: c, type: 'COMMENT' } }))).toEqual({
      status: 'OK',
    });
    expect((await answers({ questionId: q })).answers[0]?.comments).toEqual([]);
    expect(await ok<Body>(await update({ operationType: 'DELETE', entityId: { id: a, type: 'ANSWER' } }))).toEqual({
      status: 'OK',
    });
    expect((await answers({ questionId: q })).answers).toEqual([]);
    await expectError(await update({ operationType: 'DELETE', entityId: { id: a, type: 'ANSWER' } }), 404);
    expect(fm().questions.writes.map((w) => [w.operation, w.entity.type, w.text])).toEqual([
      ['UPDATE', 'ANSWER', 'Edited answer'],
      ['UPDATE', 'COMMENT', 'Edited comment'],
      ['DELETE', 'COMMENT', undefined],
      ['DELETE', 'ANSWER', undefined],
    ]);
  });

  it('refuses to change what is not the shop’s or a question (400), and an unknown or deleted entity (404)', async () => {
    await start();
    const q = fm().questions.addQuestion();
    const theirs = fm().questions.addAnswer(q);
    const comment = fm().questions.addAnswerComment(theirs);
    const edit = (id: number, type: string) => update({ operationType: 'UPDATE', entityId: { id, type }, text: 'x' });
    await expectError(await edit(theirs, 'ANSWER'), 400, /cannot be modified/);
    await expectError(await edit(comment, 'COMMENT'), 400, /cannot be modified/);
    await expectError(await edit(q, 'QUESTION'), 400, /question/);
    const notFound = await expectError(await edit(31337, 'ANSWER'), 404, /Answer 31337/);
    expect(errorProblems('updateGoodsQuestionTextEntity', 404, notFound)).toEqual([]);
    await expectError(await edit(theirs, 'COMMENT'), 404, /Comment/);
    await expectError(
      await update({ operationType: 'CREATE', parentEntityId: { id: 31337, type: 'QUESTION' }, text: 'x' }),
      404,
    );
    fm().questions.deleteQuestion(q);
    await expectError(
      await update({ operationType: 'CREATE', parentEntityId: { id: theirs, type: 'ANSWER' }, text: 'x' }),
      404,
    );
    expect(fm().questions.writes).toEqual([]);
  });

  it('validates the body: operationType, the id each operation needs, fields of another operation, text 1–5000', async () => {
    await start();
    const q = fm().questions.addQuestion();
    const parent = { id: q, type: 'QUESTION' };
    await expectError(await post('/update'), 400, /required/);
    await expectError(await update({}), 400, /operationType/);
    await expectError(await update({ operationType: 'UPSERT' }), 400, /operationType/);
    await expectError(await update({ operationType: 'CREATE', text: 'x' }), 400, /parentEntityId/);
    await expectError(await update({ operationType: 'CREATE', parentEntityId: parent }), 400, /'text'/);
    await expectError(await update({ operationType: 'CREATE', parentEntityId: { id: q }, text: 'x' }), 400);
    await expectError(
      await update({ operationType: 'CREATE', parentEntityId: parent, entityId: parent, text: 'x' }),
      400,
      /not used by CREATE/,
    );
    await expectError(await update({ operationType: 'UPDATE', text: 'x' }), 400, /entityId/);
    await expectError(await update({ operationType: 'DELETE', parentEntityId: parent }), 400, /not used by DELETE/);
    const a = fm().questions.addAnswer(q, { author: { type: 'BUSINESS' } });
    const entityId = { id: a, type: 'ANSWER' };
    await expectError(await update({ operationType: 'DELETE', entityId, text: 'x' }), 400, /not used by DELETE/);
    await expectError(await update({ operationType: 'UPDATE', entityId, text: '' }), 400, /between 1 and 5000/);
    const long = 'ё'.repeat(5001);
    expect(requestProblems('updateGoodsQuestionTextEntity', { operationType: 'UPDATE', entityId, text: long })).toEqual(
      ['text: longer than 5000'],
    );
    await expectError(await update({ operationType: 'UPDATE', entityId, text: long }), 400, /got 5001/);
    expect((await update({ operationType: 'UPDATE', entityId, text: long.slice(1) })).status).toBe(200);
    expect(fm().questions.writes).toHaveLength(1);
  });
});

describe('access, quotas and faults', () => {
  const remaining = (res: Response) => Number(res.headers.get('x-ratelimit-resource-remaining'));

  it('needs the Api-Key, the cabinet and a scope: a read-only key reads questions but cannot answer them', async () => {
    await start({}, { scopes: ['ALL_METHODS_READ_ONLY'] });
    const q = fm().questions.addQuestion();
    const unauthorised = await expectError(await post('', {}, { 'Api-Key': '' }), 401, 'Credentials are not specified');
    expect(errorProblems('getGoodsQuestions', 401, unauthorised)).toEqual([]);
    const foreign = await fetch(`${fm().url}/v1/businesses/78/goods-questions`, {
      method: 'POST',
      headers: { 'Api-Key': API_KEY },
    });
    await expectError(foreign, 403, 'Access denied');
    expect((await post('', {})).status).toBe(200);
    expect((await post('/answers', { questionId: q })).status).toBe(200);
    const refused = await update({ operationType: 'CREATE', parentEntityId: { id: q, type: 'QUESTION' }, text: 'x' });
    expect(errorProblems('updateGoodsQuestionTextEntity', 403, await expectError(refused, 403, /scopes/))).toEqual([]);
    expect(fm().questions.writes).toEqual([]);
  });

  it('serves only POST on the spec’s paths', async () => {
    await start();
    const get = await fetch(`${fm().url}${path('')}`, { headers: { 'Api-Key': API_KEY } });
    await expectError(get, 405);
    expect(get.headers.get('allow')).toBe('POST');
    await expectError(await post('/comments', {}), 404);
    await expectError(await fetch(`${fm().url}/v2/businesses/${BUSINESS_ID}/goods-questions`, { method: 'POST' }), 404);
  });

  it('charges 1 000 an hour for each read and 500 for update, 4xx included, then answers 420', async () => {
    await start();
    const q = fm().questions.addQuestion();
    const list = await post('', {});
    expect([list.headers.get('x-ratelimit-resource-limit'), remaining(list)]).toEqual(['1000', 999]);
    const read = await post('/answers', { questionId: 31337 });
    expect([read.status, read.headers.get('x-ratelimit-resource-limit'), remaining(read)]).toEqual([404, '1000', 999]);
    const bad = await update({ operationType: 'CREATE' });
    expect([bad.status, bad.headers.get('x-ratelimit-resource-limit'), remaining(bad)]).toEqual([400, '500', 499]);
    fm().setQuotaRemaining('updateGoodsQuestionTextEntity', 1);
    const write = { operationType: 'CREATE', parentEntityId: { id: q, type: 'QUESTION' }, text: 'x' };
    expect(remaining(await update(write))).toBe(0);
    const limited = await expectError(
      await update(write),
      420,
      `Hit rate limit of 500 requests per 1 hour for resource /v1/businesses/${BUSINESS_ID}/goods-questions/update`,
    );
    expect(errorProblems('updateGoodsQuestionTextEntity', 420, limited)).toEqual([]);
    expect(fm().questions.writes).toHaveLength(1);
  });

  it('acceptThenReset makes the write and drops the connection unanswered; resetBeforeEffect and 500 make none', async () => {
    await start();
    const q = fm().questions.addQuestion();
    const write = { operationType: 'CREATE', parentEntityId: { id: q, type: 'QUESTION' }, text: 'Maybe sent' };
    fm().failNext('updateGoodsQuestionTextEntity', { resetBeforeEffect: true });
    await expect(update(write)).rejects.toThrow();
    fm().failNext('updateGoodsQuestionTextEntity', { status: 500 });
    await expectError(await update(write), 500);
    expect(fm().questions.writes).toEqual([]);
    fm().failNext('updateGoodsQuestionTextEntity', { acceptThenReset: true });
    await expect(update(write)).rejects.toThrow();
    expect(fm().questions.writes.map((w) => w.text)).toEqual(['Maybe sent']);
    expect(
      fm()
        .questions.answersOf(q)
        .map((a) => a.text),
    ).toEqual(['Maybe sent']);
  });

  it('injects faults into the reads: 420 with its window, a malformed answer', async () => {
    await start();
    fm().failNext('getGoodsQuestions', { status: 420, untilMs: T + 5000 });
    const limited = await post('', {});
    await expectError(limited, 420, `for resource /v1/businesses/${BUSINESS_ID}/goods-questions for businessId`);
    expect(limited.headers.get('x-ratelimit-resource-until')).toBe(new Date(T + 5000).toUTCString());
    fm().failNext('getGoodsQuestionAnswers', { malformed: true });
    const broken = await post('/answers', { answerIds: [1] });
    expect(broken.status).toBe(200);
    await expect(broken.json()).rejects.toThrow();
    expect(fm().count('getGoodsQuestions')).toBe(1);
  });
});

describe('notifications', () => {
  it('announces every question, answer and comment created, in bodies valid against the notification spec', async () => {
    const seen: QuestionNotification[] = [];
    await start({ onNotification: (n) => seen.push(n) });
    const q = fm().questions.addQuestion({ createdAt: '2025-03-15T10:00:00+03:00' });
    const a = fm().questions.addAnswer(q);
    const c = fm().questions.addAnswerComment(a);
    const created = await ok<{ result: { entity: { id: number } } }>(
      await update({ operationType: 'CREATE', parentEntityId: { id: a, type: 'ANSWER' }, text: 'Ours' }),
    );
    expect(seen).toEqual([
      {
        notificationType: 'QUESTION_CREATED',
        questionId: q,
        businessId: BUSINESS_ID,
        createdAt: '2025-03-15T07:00:00.000Z',
      },
      {
        notificationType: 'QUESTION_ANSWER_CREATED',
        answerId: a,
        businessId: BUSINESS_ID,
        createdAt: new Date(T).toISOString(),
      },
      {
        notificationType: 'QUESTION_COMMENT_CREATED',
        answerId: a,
        commentId: c,
        businessId: BUSINESS_ID,
        createdAt: new Date(T).toISOString(),
      },
      {
        notificationType: 'QUESTION_COMMENT_CREATED',
        answerId: a,
        commentId: created.result.entity.id,
        businessId: BUSINESS_ID,
        createdAt: new Date(T).toISOString(),
      },
    ]);
    expect(fm().questions.notifications).toEqual(seen);
    for (const n of seen) expect(requestSchemaCheck(n)).toEqual([]);
  });

  it('keeps quiet about the shop’s own answers and comments when notifyOwnWrites is false', async () => {
    await start({ notifyOwnWrites: false });
    const q = fm().questions.addQuestion();
    expect(
      (await update({ operationType: 'CREATE', parentEntityId: { id: q, type: 'QUESTION' }, text: 'x' })).status,
    ).toBe(200);
    expect(fm().questions.notifications.map((n) => n.notificationType)).toEqual(['QUESTION_CREATED']);
  });
});
