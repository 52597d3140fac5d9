/**
 * The order-details operations of the copied partner-api spec (./partner-api/), pinned: what the client
 * and the fake Market take from it (scopes, limits, the shutdown of getOrder, parameters), and proof that
 * the body checker the fake's conformance tests rely on does catch a body that breaks the spec.
 */
import { describe, expect, it } from 'vitest';
import { GET_ORDER_SHUTDOWN_DATE, ORDER_PROCESSING_SCOPES } from '../../src/market/orders.ts';
import { DEFAULT_LIMITS } from '../fakes/market-server.ts';
import { operationSpec, requestProblems, responseProblems, schemaEnum } from './partner-spec.ts';

/** A BusinessOrderDTO with every required field, as small as the spec allows. */
const businessOrder = () => ({
  orderId: 1,
  campaignId: 2,
  status: 'PROCESSING',
  substatus: 'STARTED',
  creationDate: '2025-03-01T12:00:00+03:00',
  paymentType: 'PREPAID',
  paymentMethod: 'YANDEX',
  fake: false,
  items: [{ id: 1, offerId: 'SKU-1', offerName: 'Kettle', count: 1 }],
  delivery: {
    type: 'PICKUP',
    serviceName: 'Market Delivery',
    deliveryServiceId: 1,
    deliveryPartnerType: 'YANDEX_MARKET',
    dates: { fromDate: '2025-03-04' },
  },
});

describe('the order operations of the spec copy', () => {
  it('has getOrder as a deprecated GET that communication may call, switched off on the date the client names', () => {
    const op = operationSpec('getOrder');
    expect([op.method, op.operationId, op.deprecated]).toEqual(['GET', 'getOrder', true]);
    expect(op.scopes).toContain('COMMUNICATION');
    expect(op.deprecation).toEqual({
      degradationStart: '2027-01-18',
      shutdown: GET_ORDER_SHUTDOWN_DATE,
      replacement: 'getBusinessOrders',
    });
    expect(op.parameters['campaignId']).toMatchObject({ in: 'path', required: true });
    expect(op.parameters['orderId']).toMatchObject({ in: 'path', required: true });
    expect(op.requestBodyRequired).toBe(false);
  });

  it('has getBusinessOrders as a POST with a body, callable with the client’s order scopes', () => {
    const op = operationSpec('getBusinessOrders');
    expect([op.method, op.operationId, op.deprecated, op.requestBodyRequired]).toEqual([
      'POST',
      'getBusinessOrders',
      false,
      true,
    ]);
    expect([...op.scopes].sort()).toEqual([...ORDER_PROCESSING_SCOPES].sort());
    expect(op.parameters['pageToken']).toMatchObject({ in: 'query', aliases: ['pageToken', 'page_token'] });
    expect(op.parameters['limit']).toMatchObject({
      in: 'query',
      transform: 'truncateLimit',
      schema: { minimum: 1, default: 50, maximum: 50 },
    });
  });

  it('gives both 10 000 requests an hour on both tiers and 6 in parallel, as the fake charges', () => {
    for (const id of ['getOrder', 'getBusinessOrders'] as const) {
      const { limits, statuses } = operationSpec(id);
      expect(limits).toEqual({
        none: { amount: DEFAULT_LIMITS[id], period: '1 hours' },
        medium: { amount: DEFAULT_LIMITS[id], period: '1 hours' },
        parallel: 6,
      });
      expect(statuses).toEqual(['200', '400', '401', '403', '404', '420', '500']);
    }
  });

  it('lists the key scopes the order methods name', () => {
    const scopes = schemaEnum('ApiKeyScopeType');
    for (const scope of [...operationSpec('getOrder').scopes, ...operationSpec('getBusinessOrders').scopes]) {
      expect(scopes).toContain(scope);
    }
  });
});

describe('the body checker', () => {
  it('accepts a minimal valid answer and request', () => {
    expect(responseProblems('getBusinessOrders', { orders: [businessOrder()] })).toEqual([]);
    expect(requestProblems('getBusinessOrders', { orderIds: [1] })).toEqual([]);
  });

  it('reports a missing required field, a field the spec does not define, a bad enum value and a bad format', () => {
    const { orderId: _dropped, ...withoutId } = businessOrder();
    expect(responseProblems('getBusinessOrders', { orders: [withoutId] })).toEqual(['orders[0].orderId: required']);
    expect(responseProblems('getBusinessOrders', { orders: [{ ...businessOrder(), total: 1 }] })).toEqual([
      'orders[0].total: not in the spec',
    ]);
    expect(responseProblems('getBusinessOrders', { orders: [{ ...businessOrder(), status: 'SHIPPED' }] })).toEqual([
      'orders[0].status: "SHIPPED" is not in the enum',
    ]);
    const dmy = businessOrder();
    dmy.delivery.dates.fromDate = '04-03-2025';
    expect(responseProblems('getBusinessOrders', { orders: [dmy] })).toEqual([
      'orders[0].delivery.dates.fromDate: not a date',
    ]);
    expect(responseProblems('getOrder', { order: { id: 1 } })).toContain('order.creationDate: required');
    expect(responseProblems('getOrder', { status: 'OK', result: {} })).toEqual([
      'status: not in the spec',
      'result: not in the spec',
    ]);
  });

  it('reports request bodies that break the filter constraints', () => {
    expect(requestProblems('getBusinessOrders', { orderIds: [] })).toEqual(['orderIds: too few items']);
    expect(requestProblems('getBusinessOrders', { orderIds: [1, 1] })).toEqual(['orderIds: items are not unique']);
    expect(requestProblems('getBusinessOrders', { orderId: 1 })).toEqual(['orderId: not in the spec']);
  });
});
