/**
 * MarketClient's product questions (questions.ts) against the fake Market on loopback: requests valid per the copied
 * spec and exactly as REVIEWS-QUESTIONS.md §4 has them, paging and totalCount, the mapping onto the feedback model,
 * the read path's retries and fatal errors, and every outcome of a write (sent, ambiguous, rate-limited, rejected,
 * not sent). Time is injected, so waits cost nothing.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Answer, Question } from '../../src/bridge/feedback-model.ts';
import { FatalError } from '../../src/bridge/ports.ts';
import { MarketClient } from '../../src/market/client.ts';
import type { MarketClientOptions } from '../../src/market/client.ts';
import { MarketApiError } from '../../src/market/errors.ts';
import { requestProblems } from '../contract/partner-spec.ts';
import type { QuestionOperationId } from '../contract/partner-spec.ts';
import { freePort } from '../fakes/loopback.ts';
import { startFakeMarket, type FakeMarket, type FakeMarketOptions } from '../fakes/market-server.ts';
import type { FakeQuestionsOptions } from '../fakes/market-question-types.ts';

const KEY = 'ACMA:questions-test-key:1';
const BUSINESS = 77;
/** 12:00 in Moscow on 2025-03-15. */
const T0 = Date.parse('2025-03-15T09:00:00Z');
const DAY = 24 * 60 * 60 * 1000;

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

/**
 * A fake Market and a client on one injected clock starting at `start`. The fake's Date header is real time, so a
 * test of a 420 window starts the clock at the real time: the client reads the window relative to that header.
 */
async function world(
  questions: FakeQuestionsOptions = {},
  options: Partial<FakeMarketOptions> = {},
  clientOptions: Partial<MarketClientOptions> = {},
  start = T0,
) {
  const clock = { now: start };
  const sleeps: number[] = [];
  const market = await startFakeMarket({
    apiKey: KEY,
    businessId: BUSINESS,
    now: () => clock.now,
    questions,
    ...options,
  });
  const client = new MarketClient({
    baseUrl: market.url,
    apiKey: KEY,
    businessId: BUSINESS,
    logger: pino({ level: 'silent' }),
    integration: 'marketgram/test',
    random: () => 0.5,
    sleep: (ms) => {
      sleeps.push(ms);
      clock.now += ms;
      return Promise.resolve();
    },
    now: () => clock.now,
    ...clientOptions,
  });
  open.push(client, market);
  return { market, client, clock, sleeps };
}

/** The requests of a question method the fake received, each checked against the spec's request body. */
function requestsOf(market: FakeMarket, operation: QuestionOperationId) {
  const requests = market.requests.filter((r) => r.operationId === operation);
  for (const r of requests) expect(requestProblems(operation, r.body), JSON.stringify(r.body)).toEqual([]);
  return requests;
}

const iso = (days: number) => new Date(T0 + days * DAY).toISOString();

describe('questions (getGoodsQuestions)', () => {
  it('maps a QuestionDTO onto the model and reports how many questions match', async () => {
    const { market, client } = await world();
    const id = market.questions.addQuestion({
      offerId: 'KETTLE-1',
      categoryId: 90586,
      text: 'Does it switch off by itself?',
      author: { type: 'USER', name: 'Ivan' },
      createdAt: iso(-1),
    });
    const expected: Question = {
      id,
      offerId: 'KETTLE-1',
      categoryId: 90586,
      text: 'Does it switch off by itself?',
      createdAt: '2025-03-14T12:00:00+03:00',
      author: { type: 'USER', name: 'Ivan' },
    };
    await expect(client.feedback.questions({})).resolves.toEqual({ items: [expected], totalCount: 1 });
    const [request] = requestsOf(market, 'getGoodsQuestions');
    expect([request?.path, request?.query, request?.body]).toEqual([
      `/v1/businesses/${BUSINESS}/goods-questions`,
      { limit: '50' },
      {},
    ]);
  });

  it('pages 50 at a time by default with the token the Market gave, totalCount on every page', async () => {
    const { market, client } = await world();
    const all = Array.from({ length: 60 }, (_, i) => market.questions.addQuestion({ createdAt: iso(-10 + i / 10) }));
    const first = await client.feedback.questions({ sort: 'CREATED_AT_ASC' });
    expect([first.items.map((q) => q.id), first.totalCount]).toEqual([all.slice(0, 50), 60]);
    expect(first.nextPageToken).toEqual(expect.any(String));
    const second = await client.feedback.questions({ sort: 'CREATED_AT_ASC', pageToken: first.nextPageToken });
    expect(second).toMatchObject({ totalCount: 60 });
    expect(second.items.map((q) => q.id)).toEqual(all.slice(50));
    expect(second.nextPageToken).toBeUndefined();
    const small = await client.feedback.questions({ sort: 'CREATED_AT_ASC', limit: 7 });
    expect(small.items).toHaveLength(7);
    await client.feedback.questions({ limit: 500 });
    await client.feedback.questions({ limit: 0 });
    expect(requestsOf(market, 'getGoodsQuestions').map((r) => r.query['limit'])).toEqual(['50', '50', '7', '50', '1']);
  });

  it('sends the filters under the spec’s names: unique questionIds, needAnswer, dateFrom, dateTo, sort', async () => {
    const { market, client } = await world();
    const a = market.questions.addQuestion({ createdAt: iso(-3) });
    const b = market.questions.addQuestion({ createdAt: iso(-2) });
    market.questions.addAnswer(b, { author: { type: 'BUSINESS' } });
    const page = await client.feedback.questions({
      ids: [a, b, a],
      needAnswer: true,
      from: '2025-03-01',
      to: '2025-03-15',
      sort: 'CREATED_AT_DESC',
    });
    expect([page.items.map((q) => q.id), page.totalCount]).toEqual([[a], 1]);
    expect(requestsOf(market, 'getGoodsQuestions')[0]?.body).toEqual({
      questionIds: [a, b],
      needAnswer: true,
      dateFrom: '2025-03-01',
      dateTo: '2025-03-15',
      sort: 'CREATED_AT_DESC',
    });
  });

  it('finds an old question by id alone, or, when the Market windows id lookups, by id within dates around it', async () => {
    const plain = await world();
    const old = plain.market.questions.addQuestion({ createdAt: '2024-11-20T10:00:00+03:00' });
    expect((await plain.client.feedback.questions({ ids: [old] })).items.map((q) => q.id)).toEqual([old]);

    const windowed = await world({ questionIdsInDateWindow: true });
    const older = windowed.market.questions.addQuestion({ createdAt: '2024-11-20T10:00:00+03:00' });
    await expect(windowed.client.feedback.questions({ ids: [older] })).resolves.toEqual({ items: [], totalCount: 0 });
    const found = await windowed.client.feedback.questions({ ids: [older], from: '2024-11-05', to: '2024-12-05' });
    expect(found.items.map((q) => q.id)).toEqual([older]);
  });

  it('costs no request for an empty id list, and throws before sending on more than 50 ids, a bad id or date', async () => {
    const { market, client } = await world();
    await expect(client.feedback.questions({ ids: [] })).resolves.toEqual({ items: [], totalCount: 0 });
    await expect(client.feedback.questions({ ids: Array.from({ length: 51 }, (_, i) => i + 1) })).rejects.toThrow(
      RangeError,
    );
    await expect(client.feedback.questions({ ids: [0] })).rejects.toThrow(TypeError);
    await expect(client.feedback.questions({ from: '2025-03-01T00:00:00Z' })).rejects.toThrow(/YYYY-MM-DD/);
    expect(market.requests).toEqual([]);
  });

  it('retries a read after a 5xx and waits out a 420 window; a refused key is a FatalError', async () => {
    const start = Date.now();
    const { market, client, sleeps } = await world({}, {}, {}, start);
    market.questions.addQuestion({ createdAt: new Date(start).toISOString() });
    market.failNext('getGoodsQuestions', { status: 503 });
    market.failNext('getGoodsQuestions', { status: 420, untilMs: start + 30_000 });
    await expect(client.feedback.questions({})).resolves.toMatchObject({ totalCount: 1 });
    expect(market.count('getGoodsQuestions')).toBe(3);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]).toBeGreaterThan(27_000);

    const refused = await world({}, { scopes: ['PRICING'] });
    await expect(refused.client.feedback.questions({})).rejects.toBeInstanceOf(FatalError);
    await expect(refused.client.feedback.answers({ questionId: 1 })).rejects.toBeInstanceOf(FatalError);
    expect(refused.market.count('getGoodsQuestions')).toBe(1);
  });
});

describe('answers (getGoodsQuestionAnswers)', () => {
  it('maps a question’s answers with their comments onto the model', async () => {
    const { market, client } = await world();
    const q = market.questions.addQuestion();
    const a = market.questions.addAnswer(q, {
      author: { type: 'BUSINESS', name: 'Shop' },
      text: 'It does.',
      createdAt: iso(-1),
    });
    const c1 = market.questions.addAnswerComment(a, { text: 'Thanks!' });
    const c2 = market.questions.addAnswerComment(a, {
      parentId: c1,
      author: { type: 'BUSINESS', name: 'Shop' },
      text: 'You are welcome.',
      status: 'UNMODERATED',
    });
    const expected: Answer = {
      id: a,
      questionId: q,
      text: 'It does.',
      status: 'PUBLISHED',
      createdAt: '2025-03-14T12:00:00+03:00',
      canModify: true,
      author: { type: 'BUSINESS', name: 'Shop' },
      comments: [
        {
          id: c1,
          answerId: a,
          text: 'Thanks!',
          status: 'PUBLISHED',
          createdAt: '2025-03-15T12:00:00+03:00',
          canModify: false,
          author: { type: 'USER', name: 'Buyer' },
        },
        {
          id: c2,
          answerId: a,
          parentId: c1,
          text: 'You are welcome.',
          status: 'UNMODERATED',
          createdAt: '2025-03-15T12:00:00+03:00',
          canModify: true,
          author: { type: 'BUSINESS', name: 'Shop' },
        },
      ],
    };
    await expect(client.feedback.answers({ questionId: q })).resolves.toEqual({ items: [expected] });
    const [request] = requestsOf(market, 'getGoodsQuestionAnswers');
    expect([request?.path, request?.query, request?.body]).toEqual([
      `/v1/businesses/${BUSINESS}/goods-questions/answers`,
      { limit: '50' },
      { questionId: q },
    ]);
  });

  it('finds answers by unique answerIds, and pages a long list with the token', async () => {
    const { market, client } = await world();
    const q = market.questions.addQuestion();
    const all = Array.from({ length: 55 }, () => market.questions.addAnswer(q));
    const byIds = await client.feedback.answers({ answerIds: [all[3] ?? 0, all[1] ?? 0, all[3] ?? 0] });
    expect(byIds.items.map((x) => x.id)).toEqual([all[1], all[3]]);
    const first = await client.feedback.answers({ questionId: q });
    const second = await client.feedback.answers({ questionId: q }, first.nextPageToken);
    expect([first.items.length, second.items.map((x) => x.id), second.nextPageToken]).toEqual([
      50,
      all.slice(50),
      undefined,
    ]);
    const requests = requestsOf(market, 'getGoodsQuestionAnswers');
    expect(requests[0]?.body).toEqual({ answerIds: [all[3], all[1]] });
    expect(requests[2]?.query).toEqual({ limit: '50', pageToken: first.nextPageToken });
  });

  it('gives no answers for a question the Market no longer knows, and none for an empty id list without asking', async () => {
    const { market, client } = await world();
    const q = market.questions.addQuestion();
    market.questions.addAnswer(q);
    market.questions.deleteQuestion(q);
    await expect(client.feedback.answers({ questionId: q })).resolves.toEqual({ items: [] });
    expect(market.count('getGoodsQuestionAnswers')).toBe(1);
    await expect(client.feedback.answers({ answerIds: [] })).resolves.toEqual({ items: [] });
    expect(market.count('getGoodsQuestionAnswers')).toBe(1);
    await expect(client.feedback.answers({ questionId: -1 })).rejects.toThrow(TypeError);
  });

  it('reads unknown author types and statuses as UNKNOWN, a missing author and null comments too', async () => {
    const { market, client } = await world();
    const q = market.questions.addQuestion();
    const a = market.questions.addAnswer(q, { author: { type: 'MARKET', name: 'Market' }, status: 'HIDDEN' });
    market.questions.addAnswerComment(a, { author: { type: 'ROBOT' }, status: 'SHADOWED' });
    const [answer] = (await client.feedback.answers({ questionId: q })).items;
    expect([answer?.author, answer?.status]).toEqual([{ type: 'UNKNOWN', name: 'Market' }, 'UNKNOWN']);
    expect([answer?.comments[0]?.author, answer?.comments[0]?.status]).toEqual([{ type: 'UNKNOWN' }, 'UNKNOWN']);

    const bare = { id: 9, questionId: q, text: 'x', status: 'PUBLISHED', createdAt: '2025-03-15T12:00:00+03:00' };
    market.failNext('getGoodsQuestionAnswers', {
      malformed: true,
      body: JSON.stringify({ status: 'OK', result: { answers: [{ ...bare, comments: null }], paging: null } }),
    });
    await expect(client.feedback.answers({ questionId: q })).resolves.toEqual({
      items: [{ ...bare, canModify: false, author: { type: 'UNKNOWN' }, comments: [] }],
    });
  });

  it('throws a MarketApiError for a refused lookup it cannot read, after no retry', async () => {
    const { market, client } = await world();
    market.failNext('getGoodsQuestionAnswers', { status: 400 });
    await expect(client.feedback.answers({ answerIds: [1] })).rejects.toBeInstanceOf(MarketApiError);
    expect(market.count('getGoodsQuestionAnswers')).toBe(1);
  });
});

describe('writeQuestionText (updateGoodsQuestionTextEntity)', () => {
  it('creates an answer with the body of §4.3 and reports it sent with the new entity', async () => {
    const { market, client } = await world();
    const q = market.questions.addQuestion();
    const outcome = await client.feedback.writeQuestionText({
      operation: 'CREATE',
      parent: { id: q, type: 'QUESTION' },
      text: 'Yes, after 30 s.',
    });
    const [answer] = market.questions.answersOf(q);
    expect(outcome).toEqual({ kind: 'sent', result: { id: answer?.answerId, type: 'ANSWER' } });
    expect(answer).toMatchObject({ text: 'Yes, after 30 s.', author: { type: 'BUSINESS' } });
    const [request] = requestsOf(market, 'updateGoodsQuestionTextEntity');
    expect([request?.path, request?.query]).toEqual([`/v1/businesses/${BUSINESS}/goods-questions/update`, {}]);
    expect(JSON.stringify(request?.body)).toBe(
      `{"operationType":"CREATE","parentEntityId":{"id":${q},"type":"QUESTION"},"text":"Yes, after 30 s."}`,
    );
  });

  it('comments on an answer, edits and deletes with the bodies of §4.3; UPDATE and DELETE are sent without a result', async () => {
    const { market, client } = await world();
    const a = market.questions.addAnswer(market.questions.addQuestion(), { author: { type: 'BUSINESS' } });
    const created = await client.feedback.writeQuestionText({
      operation: 'CREATE',
      parent: { id: a, type: 'ANSWER' },
      text: 'Note',
    });
    expect(created).toMatchObject({ kind: 'sent', result: { type: 'COMMENT' } });
    const c = created.kind === 'sent' ? (created.result?.id ?? 0) : 0;
    const ops = [
      { operation: 'UPDATE', entity: { id: a, type: 'ANSWER' }, text: 'Edited' },
      { operation: 'UPDATE', entity: { id: c, type: 'COMMENT' }, text: 'Edited note' },
      { operation: 'DELETE', entity: { id: c, type: 'COMMENT' } },
      { operation: 'DELETE', entity: { id: a, type: 'ANSWER' } },
    ] as const;
    for (const op of ops)
      await expect(client.feedback.writeQuestionText(op)).resolves.toEqual({ kind: 'sent', result: undefined });
    expect(requestsOf(market, 'updateGoodsQuestionTextEntity').map((r) => JSON.stringify(r.body))).toEqual([
      `{"operationType":"CREATE","parentEntityId":{"id":${a},"type":"ANSWER"},"text":"Note"}`,
      `{"operationType":"UPDATE","entityId":{"id":${a},"type":"ANSWER"},"text":"Edited"}`,
      `{"operationType":"UPDATE","entityId":{"id":${c},"type":"COMMENT"},"text":"Edited note"}`,
      `{"operationType":"DELETE","entityId":{"id":${c},"type":"COMMENT"}}`,
      `{"operationType":"DELETE","entityId":{"id":${a},"type":"ANSWER"}}`,
    ]);
    expect(market.questions.writes.map((w) => w.operation)).toEqual(['CREATE', 'UPDATE', 'UPDATE', 'DELETE', 'DELETE']);
  });

  it('reports ambiguous, sent once, when the Market took the write and the connection dropped', async () => {
    const { market, client } = await world();
    const q = market.questions.addQuestion();
    market.failNext('updateGoodsQuestionTextEntity', { acceptThenReset: true });
    const outcome = await client.feedback.writeQuestionText({
      operation: 'CREATE',
      parent: { id: q, type: 'QUESTION' },
      text: 'Hi',
    });
    expect(outcome.kind).toBe('ambiguous');
    expect(market.requests.filter((r) => r.operationId === 'updateGoodsQuestionTextEntity')).toHaveLength(1);
    expect(market.questions.answersOf(q).map((a) => a.text)).toEqual(['Hi']);
  });

  it('reports ambiguous on a timeout and on a 5xx, each sent once', async () => {
    const { market, client } = await world({}, {}, { requestTimeoutMs: 200 });
    const q = market.questions.addQuestion();
    const create = { operation: 'CREATE', parent: { id: q, type: 'QUESTION' }, text: 'Hi' } as const;
    market.failNext('updateGoodsQuestionTextEntity', { hang: true });
    await expect(client.feedback.writeQuestionText(create)).resolves.toMatchObject({
      kind: 'ambiguous',
      reason: /timed out/,
    });
    market.failNext('updateGoodsQuestionTextEntity', { status: 500 });
    await expect(client.feedback.writeQuestionText(create)).resolves.toMatchObject({
      kind: 'ambiguous',
      reason: /HTTP 500/,
    });
    expect(market.requests.filter((r) => r.operationId === 'updateGoodsQuestionTextEntity')).toHaveLength(2);
  });

  it('reports rate-limited on 420 with the window’s end, and writes nothing while the window is open', async () => {
    const start = Date.now();
    const { market, client } = await world({}, {}, { maxWriteWaitMs: 1000 }, start);
    const q = market.questions.addQuestion();
    market.setQuotaRemaining('updateGoodsQuestionTextEntity', 0, start + 60_000);
    const create = { operation: 'CREATE', parent: { id: q, type: 'QUESTION' }, text: 'Hi' } as const;
    const outcome = await client.feedback.writeQuestionText(create);
    expect(outcome).toEqual({
      kind: 'rate-limited',
      retryAt: expect.any(Date) as Date,
      reason: expect.stringContaining('Hit rate limit of 500 requests per 1 hour') as string,
    });
    // HTTP dates have whole seconds.
    const retryAt = outcome.kind === 'rate-limited' ? outcome.retryAt.getTime() : 0;
    expect(Math.abs(retryAt - (start + 60_000))).toBeLessThan(2000);
    await expect(client.feedback.writeQuestionText(create)).resolves.toMatchObject({ kind: 'rate-limited' });
    expect(market.count('updateGoodsQuestionTextEntity')).toBe(1);
    expect(market.questions.writes).toEqual([]);
  });

  it('reports rejected with the Market’s reason on 400 and 404', async () => {
    const { market, client } = await world();
    const q = market.questions.addQuestion();
    const a = market.questions.addAnswer(q);
    const c = market.questions.addAnswerComment(a);
    await expect(
      client.feedback.writeQuestionText({ operation: 'CREATE', parent: { id: c, type: 'COMMENT' }, text: 'Re' }),
    ).resolves.toEqual({
      kind: 'rejected',
      status: 400,
      reason: "BAD_REQUEST: 'parentEntityId.type' must be QUESTION or ANSWER for CREATE",
    });
    await expect(
      client.feedback.writeQuestionText({ operation: 'UPDATE', entity: { id: a, type: 'ANSWER' }, text: 'Mine now' }),
    ).resolves.toMatchObject({ kind: 'rejected', status: 400, reason: /cannot be modified/ });
    await expect(
      client.feedback.writeQuestionText({
        operation: 'CREATE',
        parent: { id: q, type: 'QUESTION' },
        text: 'x'.repeat(5001),
      }),
    ).resolves.toMatchObject({ kind: 'rejected', status: 400 });
    await expect(
      client.feedback.writeQuestionText({ operation: 'DELETE', entity: { id: 31337, type: 'ANSWER' } }),
    ).resolves.toEqual({
      kind: 'rejected',
      status: 404,
      reason: 'NOT_FOUND: Answer 31337 not found',
    });
    expect(market.questions.writes).toEqual([]);
  });

  it('reports not-sent when the connection is refused or beforeSend throws, and runs beforeSend before sending', async () => {
    const port = await freePort();
    const refused = new MarketClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: KEY,
      businessId: BUSINESS,
      logger: pino({ level: 'silent' }),
      integration: 'marketgram/test',
    });
    open.push(refused);
    await expect(
      refused.feedback.writeQuestionText({ operation: 'DELETE', entity: { id: 1, type: 'ANSWER' } }),
    ).resolves.toMatchObject({ kind: 'not-sent', reason: /ECONNREFUSED/ });

    const { market, client } = await world();
    const q = market.questions.addQuestion();
    const create = { operation: 'CREATE', parent: { id: q, type: 'QUESTION' }, text: 'Hi' } as const;
    const failed = await client.feedback.writeQuestionText(create, {
      beforeSend: () => Promise.reject(new Error('disk full')),
    });
    expect(failed).toMatchObject({ kind: 'not-sent', reason: /disk full/ });
    expect(market.requests).toEqual([]);
    const seen: number[] = [];
    await client.feedback.writeQuestionText(create, {
      beforeSend: () => {
        seen.push(market.requests.length);
        return Promise.resolve();
      },
    });
    expect([seen, market.requests.length]).toEqual([[0], 1]);
  });

  it('throws a FatalError when the key may not write (403)', async () => {
    const { market, client } = await world({}, { scopes: ['ALL_METHODS_READ_ONLY'] });
    const q = market.questions.addQuestion();
    await expect(client.feedback.questions({})).resolves.toMatchObject({ totalCount: 1 });
    await expect(
      client.feedback.writeQuestionText({ operation: 'CREATE', parent: { id: q, type: 'QUESTION' }, text: 'Hi' }),
    ).rejects.toBeInstanceOf(FatalError);
  });

  it('calls a CREATE whose answer has no readable id ambiguous, and names the type the Market left out', async () => {
    const { market, client } = await world();
    const q = market.questions.addQuestion();
    const a = market.questions.addAnswer(q);
    market.failNext('updateGoodsQuestionTextEntity', { malformed: true, body: '{"status":"OK"}' });
    await expect(
      client.feedback.writeQuestionText({ operation: 'CREATE', parent: { id: q, type: 'QUESTION' }, text: 'Hi' }),
    ).resolves.toMatchObject({ kind: 'ambiguous', reason: /no readable id/ });
    market.failNext('updateGoodsQuestionTextEntity', {
      malformed: true,
      body: '{"status":"OK","result":{"entity":{"id":6000123}}}',
    });
    await expect(
      client.feedback.writeQuestionText({ operation: 'CREATE', parent: { id: a, type: 'ANSWER' }, text: 'Hi' }),
    ).resolves.toEqual({ kind: 'sent', result: { id: 6000123, type: 'COMMENT' } });
  });

  it('throws before sending on an id that is not a positive integer', async () => {
    const { market, client } = await world();
    await expect(
      client.feedback.writeQuestionText({ operation: 'DELETE', entity: { id: 0, type: 'ANSWER' } }),
    ).rejects.toThrow(TypeError);
    expect(market.requests).toEqual([]);
  });
});
