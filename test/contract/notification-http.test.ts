/**
 * The notification endpoint over real HTTP, against the official notification-api spec (README §8.2–8.4):
 * every body generated from the spec is POSTed to the in-process listener on both URLs the Market may use,
 * and the answers are checked with the spec's own response schemas.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Agent } from 'node:http';
import { NOTIFICATION_TYPES, parseNotification } from '../../src/market/notifications.ts';
import type { MarketNotification } from '../../src/market/notifications.ts';
import {
  INTEGRATION_NAME,
  INTEGRATION_VERSION,
  NOTIFICATION_PATHS,
  keepAliveAgent,
  mediaType,
  pool,
  postJson,
  startNotificationServer,
  type HttpAnswer,
  type NotificationServer,
} from '../server/notification-harness.ts';
import {
  errorResponseSchemaCheck,
  invalidExamples,
  responseSchemaCheck,
  toleratedExamples,
  validExamples,
  type Example,
} from './spec-examples.ts';

const CONCURRENCY = 16;
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8'] as const;

let s: NotificationServer;
let agent: Agent;

beforeAll(async () => {
  s = await startNotificationServer();
  agent = keepAliveAgent(CONCURRENCY);
});

afterAll(async () => {
  agent.destroy();
  await s.close();
});

beforeEach(() => {
  s.received.length = 0;
  s.rejected.length = 0;
  s.onNotification = () => undefined;
});

/** Lets the asynchronous hand-offs (setImmediate after the answer) run, so late or extra ones show. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

const typeOf = (body: unknown): unknown => (body as Record<string, unknown>)['notificationType'];
const isKnown = (type: unknown): boolean => (NOTIFICATION_TYPES as readonly unknown[]).includes(type);

/** A multiset as sorted JSON texts, so "exactly once per request" compares with one toEqual. */
const bag = (values: readonly unknown[]): string[] => values.map((v) => JSON.stringify(v)).sort();

interface Sent {
  label: string;
  body: unknown;
  sentAt: number;
  answeredAt: number;
  answer: HttpAnswer;
}

/** POSTs every (example, path, content type) combination, 16 in flight. */
async function postAll(examples: readonly Example[], contentTypes: readonly string[] = CONTENT_TYPES) {
  const cases = examples.flatMap((e) =>
    NOTIFICATION_PATHS.flatMap((path) => contentTypes.map((contentType) => ({ e, path, contentType }))),
  );
  return pool(cases, CONCURRENCY, async ({ e, path, contentType }): Promise<Sent> => {
    const sentAt = Date.now();
    const answer = await postJson(s.port, agent, path, e.body, contentType);
    return { label: `${e.name} → POST ${path} (${contentType})`, body: e.body, sentAt, answeredAt: Date.now(), answer };
  });
}

/** What is wrong with a 200 answer according to §8.4; [] when it is right. */
function successProblems({ answer, sentAt, answeredAt }: Sent): string[] {
  const problems: string[] = [];
  if (answer.status !== 200) problems.push(`status ${answer.status}: ${answer.text}`);
  if (mediaType(answer.headers) !== 'application/json')
    problems.push(`Content-Type ${String(answer.headers['content-type'])}`);
  if (answer.jsonError !== undefined) return [...problems, `body is not JSON (${answer.jsonError}): ${answer.text}`];
  problems.push(...responseSchemaCheck(answer.json));
  const body = answer.json as { version?: unknown; name?: unknown; time?: unknown };
  if (body.name !== INTEGRATION_NAME || body.version !== INTEGRATION_VERSION)
    problems.push(`name/version ${String(body.name)}/${String(body.version)}`);
  const time = typeof body.time === 'string' ? body.time : '';
  if (!/[Zz]$/.test(time)) problems.push(`time ${time} is not UTC`);
  const at = Date.parse(time);
  if (!(at >= sentAt)) problems.push(`time ${time} is before the request was sent (${new Date(sentAt).toISOString()})`);
  if (!(at <= answeredAt)) problems.push(`time ${time} is after the answer arrived`);
  return problems;
}

function failures(sent: readonly Sent[], problemsOf: (x: Sent) => string[]): string[] {
  return sent.flatMap((x) => problemsOf(x).map((p) => `${x.label}: ${p}`));
}

describe('POST of a notification to the listener, checked against the notification-api spec', () => {
  it('answers every spec-valid body with 200 and a spec-valid {version, name, time}, on both URLs, and hands each on exactly once', async () => {
    const examples = validExamples();
    expect(examples.length).toBeGreaterThanOrEqual(34);
    const sent = await postAll(examples);
    expect(sent).toHaveLength(examples.length * 4);
    expect(failures(sent, successProblems)).toEqual([]);

    await settle();
    expect(bag(s.received.map((n) => n.notificationType))).toEqual(bag(sent.map((x) => typeOf(x.body))));
    expect(s.received.every((n) => n.kind === 'known')).toBe(true);
    // The whole notification, not only its type, arrives as the body said.
    const expected = sent.map((x) => {
      const parsed = parseNotification(x.body);
      if (!parsed.ok) throw new Error(`${x.label}: the parser refuses a spec-valid body: ${parsed.message}`);
      return parsed.notification;
    });
    expect(bag(s.received)).toEqual(bag(expected));
    expect(s.rejected).toEqual([]);
  });

  it('answers every tolerated body (unknown enum values, extra fields, null optionals, a new type) with 200 and hands it on once', async () => {
    const examples = toleratedExamples();
    expect(examples.length).toBeGreaterThanOrEqual(20);
    const sent = await postAll(examples);
    expect(failures(sent, successProblems)).toEqual([]);

    await settle();
    expect(s.received).toHaveLength(sent.length);
    expect(bag(s.received.map((n) => [n.kind, n.notificationType]))).toEqual(
      bag(sent.map((x) => [isKnown(typeOf(x.body)) ? 'known' : 'unknown', typeOf(x.body)])),
    );
  });

  it('refuses every spec-invalid body with 400 WRONG_EVENT_FORMAT naming the field, and hands none of them on', async () => {
    const examples = invalidExamples();
    expect(examples.length).toBeGreaterThanOrEqual(300);
    const fieldOf = new Map(examples.map((e) => [e.body, e.field]));
    const sent = await postAll(examples, ['application/json']);
    expect(sent).toHaveLength(examples.length * 2);

    const problems = failures(sent, ({ answer, body }) => {
      const out: string[] = [];
      if (answer.status !== 400) out.push(`status ${answer.status}: ${answer.text}`);
      if (mediaType(answer.headers) !== 'application/json')
        out.push(`Content-Type ${String(answer.headers['content-type'])}`);
      if (answer.jsonError !== undefined) return [...out, `body is not JSON: ${answer.text}`];
      out.push(...errorResponseSchemaCheck(answer.json));
      const error = (answer.json as { error?: { type?: unknown; message?: unknown } }).error;
      if (error?.type !== 'WRONG_EVENT_FORMAT') out.push(`error.type ${String(error?.type)}`);
      const message = typeof error?.message === 'string' ? error.message : '';
      if (!message.startsWith(`${fieldOf.get(body) ?? '?'}: `)) out.push(`message does not name the field: ${message}`);
      return out;
    });
    expect(problems).toEqual([]);

    await settle();
    expect(s.received).toEqual([]);
    expect(new Set(s.rejected)).toEqual(new Set(['schema']));
    expect(s.rejected).toHaveLength(sent.length);
  });

  it('answers 200 to well-formed notifications of types the spec does not list yet, and hands them on as unknown', async () => {
    const types = [
      'SOMETHING_NEW',
      'CHAT_DELETED',
      'ORDER_DELIVERED',
      'ping',
      'Ping',
      ' PING',
      'PING ',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'ЗАКАЗ_СОЗДАН',
      '😀',
      'X'.repeat(300),
    ];
    const examples: Example[] = types.flatMap((type) => [
      { name: `type ${JSON.stringify(type.slice(0, 20))} alone`, body: { notificationType: type } },
      {
        name: `type ${JSON.stringify(type.slice(0, 20))} with fields of any shape`,
        body: { notificationType: type, chatId: 'x', nested: { a: [1, null, { b: true }] }, list: [], time: 5 },
      },
    ]);
    const sent = await postAll(examples);
    expect(failures(sent, successProblems)).toEqual([]);

    await settle();
    expect(bag(s.received)).toEqual(
      bag(sent.map((x): MarketNotification => ({ kind: 'unknown', notificationType: String(typeOf(x.body)) }))),
    );
  });

  it('answers 200 to every duplicate, sent one after another and all at once, and hands each copy on', async () => {
    const body = {
      notificationType: 'CHAT_MESSAGE_SENT',
      chatId: 12345,
      messageId: '987654',
      businessId: 67890,
      sentAt: '2025-01-16T10:10:01.001Z',
    };
    const sequential: Sent[] = [];
    for (let i = 0; i < 5; i++)
      sequential.push(...(await postAll([{ name: `copy ${i}`, body }], ['application/json'])));
    const concurrent = await postAll(
      Array.from({ length: 5 }, (_, i) => ({ name: `concurrent copy ${i}`, body })),
      ['application/json'],
    );
    const sent = [...sequential, ...concurrent];
    expect(sent).toHaveLength(20);
    expect(failures(sent, successProblems)).toEqual([]);

    await settle();
    expect(s.received).toHaveLength(20);
    expect(new Set(s.received.map((n) => JSON.stringify(n))).size).toBe(1);
    expect(s.received[0]).toMatchObject({ notificationType: 'CHAT_MESSAGE_SENT', chatId: 12345, messageId: 987654 });
  });

  it('still answers 200 when handing the notification on throws, and keeps serving', async () => {
    s.onNotification = () => {
      throw new Error('the bridge is broken');
    };
    const first = await postAll([{ name: 'PING', body: { notificationType: 'PING' } }], ['application/json']);
    await settle();
    const second = await postAll([{ name: 'PING again', body: { notificationType: 'PING' } }], ['application/json']);
    expect(failures([...first, ...second], successProblems)).toEqual([]);
    await settle();
    expect(s.received).toHaveLength(4);
  });
});
