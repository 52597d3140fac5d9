import { describe, expect, it } from 'vitest';
import {
  NOTIFICATION_TYPES,
  ORDER_STATUSES,
  ORDER_SUBSTATUSES,
  ORDER_UPDATE_TYPES,
  REFUND_STATUSES,
  RETURN_SHIPMENT_STATUSES,
  RETURN_TYPES,
  notificationError,
  notificationResponse,
  parseNotification,
  parseNotificationTime,
} from '../../src/market/notifications.ts';
import type { MarketNotification, NotificationErrorType } from '../../src/market/notifications.ts';
import {
  SAMPLE_DATE_TIME,
  errorResponseSchemaCheck,
  invalidExamples,
  requestSchemaCheck,
  responseSchemaCheck,
  specNotificationTypes,
  specSchema,
  specVariants,
  toleratedExamples,
  validExamples,
} from './spec-examples.ts';

const valid = validExamples();
const invalid = invalidExamples();
const tolerated = toleratedExamples();
// Tuples, so test names show the example name unquoted and untruncated.
const validCases = valid.map((e) => [e.name, e.body] as const);
const invalidCases = invalid.map((e) => [e.name, e.field, e.body] as const);
const toleratedCases = tolerated.map((e) => [e.name, e.body] as const);

function accept(body: unknown): MarketNotification {
  const result = parseNotification(body);
  if (!result.ok) throw new Error(`refused: ${result.message}`);
  return result.notification;
}

function refuse(body: unknown): string {
  const result = parseNotification(body);
  if (result.ok) throw new Error(`accepted as ${result.notification.notificationType}`);
  return result.message;
}

/** What a known notification must look like for a spec-valid body: the body's fields, typed. */
function expected(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body, kind: 'known' };
  if (body['notificationType'] === 'CHAT_MESSAGE_SENT') {
    out['messageId'] = Number(body['messageId']);
    out['rawMessageId'] = body['messageId'];
  }
  return out;
}

describe('the notification spec copy and the examples generated from it', () => {
  it('lists exactly the notification types the parser knows', () => {
    expect([...specNotificationTypes()].sort()).toEqual([...NOTIFICATION_TYPES].sort());
  });

  it('maps every NotificationType value to a DTO, and the mapping and oneOf name the same DTOs', () => {
    const { mapping, oneOfFiles } = specVariants();
    expect(mapping.map((m) => m.type).sort()).toEqual(specNotificationTypes().sort());
    expect(new Set(mapping.map((m) => m.file))).toEqual(new Set(oneOfFiles));
    expect(oneOfFiles).toHaveLength(specNotificationTypes().length);
  });

  it('generates a minimal and a full body for every NotificationType value of the spec', () => {
    const types = specNotificationTypes();
    expect(types.length).toBeGreaterThanOrEqual(17);
    for (const type of types) {
      const bodies = valid.filter((e) => (e.body as Record<string, unknown>)['notificationType'] === type);
      expect(bodies.map((e) => e.name).sort(), type).toEqual([`${type} full`, `${type} minimal`]);
    }
  });

  it('generates invalid bodies for every type that has fields', () => {
    for (const type of specNotificationTypes()) {
      expect(
        invalid.some((e) => e.name.startsWith(`${type}: `)),
        type,
      ).toBe(true);
    }
    expect(invalid.filter((e) => e.name.startsWith('CHAT_MESSAGE_SENT: ')).map((e) => e.name)).toEqual(
      expect.arrayContaining([
        'CHAT_MESSAGE_SENT: messageId removed',
        'CHAT_MESSAGE_SENT: messageId as a number',
        'CHAT_MESSAGE_SENT: chatId as a string of digits',
        'CHAT_MESSAGE_SENT: businessId below its minimum',
        'CHAT_MESSAGE_SENT: sentAt as null',
      ]),
    );
  });

  it.each(validCases)('generates a spec-valid body: %s', (_name, body) => {
    expect(requestSchemaCheck(body)).toEqual([]);
  });

  it.each(invalidCases)('generates a spec-invalid body: %s', (_name, _field, body) => {
    expect(requestSchemaCheck(body)).not.toEqual([]);
  });

  it('fills date-times with nanoseconds, ids with distinct positive integers and messageId with digits', () => {
    const full = valid.find((e) => e.name === 'CHAT_MESSAGE_SENT full')?.body as Record<string, unknown>;
    expect(full['sentAt']).toBe(SAMPLE_DATE_TIME);
    expect(full['messageId']).toMatch(/^\d+$/);
    expect(full['chatId']).toBeGreaterThan(0);
    expect(full['chatId']).not.toBe(full['businessId']);
  });

  it.each([
    ['OrderStatusType', ORDER_STATUSES],
    ['OrderSubstatusType', ORDER_SUBSTATUSES],
    ['OrderUpdateType', ORDER_UPDATE_TYPES],
    ['ReturnType', RETURN_TYPES],
    ['RefundStatusType', REFUND_STATUSES],
    ['ReturnShipmentStatusType', RETURN_SHIPMENT_STATUSES],
  ] as const)('knows the values of %s listed in the spec', (name, values) => {
    expect(specSchema(name).enum).toEqual([...values]);
  });
});

describe('parseNotification', () => {
  it.each(validCases)('accepts %s as its typed variant', (_name, body) => {
    const notification = accept(body);
    expect(notification.kind).toBe('known');
    expect(notification).toEqual(expected(body as Record<string, unknown>));
  });

  it.each(invalidCases)('refuses %s, naming the field', (_name, field, body) => {
    const message = refuse(body);
    // One defect per example, so one reason, and it starts with the field's path.
    expect(message.startsWith(`${field}: `), message).toBe(true);
    expect(message).not.toContain('; ');
    expect(message.length).toBeLessThanOrEqual(300);
  });

  it.each(toleratedCases)('accepts %s', (_name, body) => {
    const notification = accept(body);
    expect(notification).not.toHaveProperty('someNewField');
  });

  it('keeps an enum value the spec lacks as sent', () => {
    const body = valid.find((e) => e.name === 'ORDER_STATUS_UPDATED full')?.body as Record<string, unknown>;
    expect(accept({ ...body, substatus: 'SOMETHING_NEW' })).toMatchObject({ substatus: 'SOMETHING_NEW' });
  });

  describe('the four chat examples of the Market notes (§8.3)', () => {
    it('reads CHAT_CREATED with a Market chat id', () => {
      expect(
        accept({
          notificationType: 'CHAT_CREATED',
          chatId: 12345,
          businessId: 67890,
          createdAt: '2025-01-16T10:09:49.759Z',
        }),
      ).toEqual({
        kind: 'known',
        notificationType: 'CHAT_CREATED',
        chatId: 12345,
        businessId: 67890,
        createdAt: '2025-01-16T10:09:49.759Z',
      });
    });

    it('reads CHAT_MESSAGE_SENT with the string messageId converted to a number and kept as sent', () => {
      expect(
        accept({
          notificationType: 'CHAT_MESSAGE_SENT',
          chatId: 12345,
          messageId: '987654',
          businessId: 67890,
          sentAt: '2025-01-16T10:10:01.001Z',
        }),
      ).toEqual({
        kind: 'known',
        notificationType: 'CHAT_MESSAGE_SENT',
        chatId: 12345,
        messageId: 987654,
        rawMessageId: '987654',
        businessId: 67890,
        sentAt: '2025-01-16T10:10:01.001Z',
      });
    });

    it('reads CHAT_ARBITRAGE_STARTED', () => {
      expect(
        accept({
          notificationType: 'CHAT_ARBITRAGE_STARTED',
          chatId: 12345,
          businessId: 67890,
          startedAt: '2025-01-17T08:00:00Z',
        }),
      ).toMatchObject({
        kind: 'known',
        notificationType: 'CHAT_ARBITRAGE_STARTED',
        chatId: 12345,
        startedAt: '2025-01-17T08:00:00Z',
      });
    });

    it('reads CHAT_ARBITRAGE_FINISHED', () => {
      expect(
        accept({
          notificationType: 'CHAT_ARBITRAGE_FINISHED',
          chatId: 12345,
          businessId: 67890,
          finishedAt: '2025-01-18T08:00:00Z',
        }),
      ).toMatchObject({
        kind: 'known',
        notificationType: 'CHAT_ARBITRAGE_FINISHED',
        chatId: 12345,
        finishedAt: '2025-01-18T08:00:00Z',
      });
    });
  });

  it('reads the PING of the Market notes, with or without time', () => {
    expect(accept({ notificationType: 'PING', time: '2025-01-16T10:09:49.759084017Z' })).toMatchObject({
      kind: 'known',
      notificationType: 'PING',
      time: '2025-01-16T10:09:49.759084017Z',
    });
    expect(accept({ notificationType: 'PING' })).toMatchObject({ kind: 'known', notificationType: 'PING' });
  });

  it('accepts a well-formed body of an unknown type as unknown, keeping only the type', () => {
    expect(accept({ notificationType: 'ORDER_TELEPORTED', orderId: 'whatever' })).toEqual({
      kind: 'unknown',
      notificationType: 'ORDER_TELEPORTED',
    });
  });

  it('keeps a huge unknown type name short', () => {
    const notification = accept({ notificationType: 'X'.repeat(10_000) });
    expect(notification.kind).toBe('unknown');
    expect(notification.notificationType.length).toBeLessThanOrEqual(300);
  });

  it.each([
    ['null', null],
    ['an array', [{ notificationType: 'PING' }]],
    ['a string', 'PING'],
    ['a number', 42],
    ['a boolean', true],
    ['undefined', undefined],
  ])('refuses %s as the body', (_label, body) => {
    expect(refuse(body)).toMatch(/^body: expected a JSON object/);
  });

  it.each([
    ['missing', {}, 'notificationType: required'],
    ['a number', { notificationType: 1 }, 'notificationType: expected a string, got an integer'],
    ['null', { notificationType: null }, 'notificationType: expected a string, got null'],
    ['empty', { notificationType: ' ' }, 'notificationType: expected a non-empty string'],
  ])('refuses a notificationType that is %s', (_label, body, message) => {
    expect(refuse(body)).toBe(message);
  });

  it('says what was expected and what came, in the words of the brief', () => {
    expect(
      refuse({ notificationType: 'CHAT_CREATED', chatId: '12345', businessId: 1, createdAt: '2025-01-16T10:09:49Z' }),
    ).toBe('chatId: expected an integer, got a string');
  });

  it('refuses ids outside the safe-integer range, which JSON.parse cannot carry exactly', () => {
    const body = JSON.parse(
      '{"notificationType":"CHAT_CREATED","chatId":9007199254740993,"businessId":1,"createdAt":"2025-01-16T10:09:49Z"}',
    ) as unknown;
    expect(refuse(body)).toMatch(/^chatId: /);
  });

  it.each([
    ['0012', 12],
    ['9007199254740991', 9007199254740991],
  ])('converts messageId %s to the number %d', (messageId, number) => {
    const n = accept({
      notificationType: 'CHAT_MESSAGE_SENT',
      chatId: 1,
      messageId,
      businessId: 1,
      sentAt: SAMPLE_DATE_TIME,
    });
    expect(n).toMatchObject({ messageId: number, rawMessageId: messageId });
  });

  it.each(['', '12a', '-1', '1.0', ' 12', '9007199254740993'])('refuses messageId %j', (messageId) => {
    const body = {
      notificationType: 'CHAT_MESSAGE_SENT',
      chatId: 1,
      messageId,
      businessId: 1,
      sentAt: SAMPLE_DATE_TIME,
    };
    expect(refuse(body)).toMatch(/^messageId: expected a string of digits/);
  });

  it('caps a long refusal at whole reasons and never echoes the input', () => {
    const secret = 'S'.repeat(5_000);
    const items = Array.from({ length: 500 }, () => ({ offerId: secret, count: secret }));
    const message = refuse({ notificationType: 'ORDER_CREATED', orderId: 1, campaignId: 1, items, createdAt: secret });
    expect(message.length).toBeLessThanOrEqual(300);
    expect(message).toMatch(/; and \d+ more$/);
    expect(message).not.toContain('SSSS');
  });
});

describe('notification date-times', () => {
  const chatCreated = (createdAt: string) => ({
    notificationType: 'CHAT_CREATED',
    chatId: 1,
    businessId: 1,
    createdAt,
  });

  it.each([
    ['2025-01-16T10:09:49.759084017Z', '2025-01-16T10:09:49.759Z'],
    ['2025-01-16T10:09:49Z', '2025-01-16T10:09:49.000Z'],
    ['2025-01-16T10:09:49.7Z', '2025-01-16T10:09:49.700Z'],
    ['2025-01-16T13:09:49.759+03:00', '2025-01-16T10:09:49.759Z'],
    ['2025-01-16T13:09:49+0300', '2025-01-16T10:09:49.000Z'],
    ['2025-01-16T13:09:49+03', '2025-01-16T10:09:49.000Z'],
    ['2025-01-16T05:09:49.123456789-05:00', '2025-01-16T10:09:49.123Z'],
    ['2025-01-16t10:09:49z', '2025-01-16T10:09:49.000Z'],
    ['2025-01-16 10:09:49Z', '2025-01-16T10:09:49.000Z'],
    ['2025-01-16T10:09Z', '2025-01-16T10:09:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['2025-01-16T10:09:49.1234567890Z', '2025-01-16T10:09:49.123Z'],
  ])('accepts %s as the instant %s', (text, instant) => {
    expect(parseNotificationTime(text)?.toISOString()).toBe(instant);
    expect(accept(chatCreated(text))).toMatchObject({ createdAt: text });
  });

  it.each([
    '2025-01-16T10:09:49',
    '2025-01-16',
    '2025-01-16T10:09:49.1234567890123456789Z',
    '2025-13-01T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2025-01-16T24:00:00Z',
    '2025-01-16T10:60:00Z',
    '2025-01-16T10:09:49+25:00',
    '1737022189759',
    '',
  ])('refuses %j', (text) => {
    expect(parseNotificationTime(text)).toBeUndefined();
    expect(refuse(chatCreated(text))).toBe('createdAt: expected an ISO 8601 date-time with Z or an offset');
  });
});

describe('responses to the Market', () => {
  const startedAt = new Date('2025-01-16T10:09:49.800Z');

  it('builds a 200 body that satisfies SendNotificationResponse, with time in UTC', () => {
    const body = notificationResponse('marketgram', '0.1.0', startedAt);
    expect(body).toEqual({ version: '0.1.0', name: 'marketgram', time: '2025-01-16T10:09:49.800Z' });
    expect(responseSchemaCheck(body)).toEqual([]);
  });

  it('accepts names and versions of exactly 1 and 100 characters, counted as the spec counts them', () => {
    expect(responseSchemaCheck(notificationResponse('n', 'v', startedAt))).toEqual([]);
    expect(responseSchemaCheck(notificationResponse('я'.repeat(100), '😀'.repeat(100), startedAt))).toEqual([]);
  });

  it.each([
    ['an empty name', '', '1.0'],
    ['an empty version', 'marketgram', ''],
    ['a name over 100 characters', 'n'.repeat(101), '1.0'],
    ['a version over 100 characters', 'marketgram', 'v'.repeat(101)],
  ])('throws on %s instead of answering with a body the Market rejects', (_label, name, version) => {
    expect(() => notificationResponse(name, version, startedAt)).toThrow(RangeError);
  });

  it('has a response check that finds missing fields, bad lengths and bad times', () => {
    expect(responseSchemaCheck({ name: 'x', version: '1' })).toEqual(['time: required']);
    expect(responseSchemaCheck({ name: '', version: 'v'.repeat(101), time: 'now' })).toHaveLength(3);
    expect(responseSchemaCheck([])).not.toEqual([]);
  });

  it.each(['UNKNOWN', 'WRONG_EVENT_FORMAT', 'DUPLICATED_EVENT'] as NotificationErrorType[])(
    'builds a %s error body that satisfies SendNotificationErrorResponse',
    (type) => {
      const body = notificationError(type, 'chatId: expected an integer, got a string');
      expect(body).toEqual({ error: { type, message: 'chatId: expected an integer, got a string' } });
      expect(errorResponseSchemaCheck(body)).toEqual([]);
    },
  );

  it('has an error check that finds a type outside the enum and a non-string message', () => {
    expect(errorResponseSchemaCheck({ error: { type: 'OOPS', message: 1 } })).toHaveLength(2);
  });

  it('answers a refusal with the parser message as a WRONG_EVENT_FORMAT body the spec allows', () => {
    const message = refuse({ notificationType: 'CHAT_CREATED' });
    expect(errorResponseSchemaCheck(notificationError('WRONG_EVENT_FORMAT', message))).toEqual([]);
  });
});
