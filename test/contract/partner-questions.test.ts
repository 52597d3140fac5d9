/**
 * The product-question operations of the copied partner-api spec (./partner-api/), pinned: what the fake Market
 * and the client take from it (paths, scopes, the `none` tier's limits, page limits, which bodies are required,
 * the enums), and the exact request bodies of REVIEWS-QUESTIONS.md §4.3, checked against the request schema.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../fakes/market-server.ts';
import {
  QUESTION_AUTHOR_TYPES,
  QUESTION_ROUTES,
  QUESTION_SCOPES,
  QUESTION_SORTS,
  QUESTION_TEXT_STATUSES,
} from '../fakes/market-question-types.ts';
import { QUESTION_OPERATIONS, operationSpec, requestProblems, schemaEnum } from './partner-spec.ts';
import type { QuestionOperationId } from './partner-spec.ts';

const IDS = Object.keys(QUESTION_OPERATIONS) as QuestionOperationId[];

describe('the question operations of the spec copy', () => {
  it.each(IDS)('%s is a POST on the path the fake serves, with the scopes it checks', (id) => {
    const op = operationSpec(id);
    expect([op.method, op.operationId, op.deprecated]).toEqual(['POST', id, false]);
    const suffix = Object.entries(QUESTION_ROUTES).find(([, operation]) => operation === id)?.[0];
    expect(op.path).toBe(`/v1/businesses/{businessId}/${suffix ?? ''}`);
    expect([...op.scopes].sort()).toEqual([...QUESTION_SCOPES[id]].sort());
    expect(op.statuses).toEqual(['200', '400', '401', '403', '404', '420', '500']);
  });

  it('gives 1 000 an hour to each read and 500 to update on the none tier, as the fake charges', () => {
    for (const id of IDS) {
      const { limits } = operationSpec(id);
      expect(limits.none).toEqual({ amount: DEFAULT_LIMITS[id], period: '1 hours' });
      expect(limits.parallel).toBeUndefined();
    }
    expect(IDS.map((id) => operationSpec(id).limits.medium.amount)).toEqual([5000, 5000, 1000]);
  });

  it('pages the two reads by pageToken (alias page_token) and a limit of 1–50, default 25; update is not paged', () => {
    for (const id of ['getGoodsQuestions', 'getGoodsQuestionAnswers'] as const) {
      const { parameters } = operationSpec(id);
      expect(parameters['pageToken']).toMatchObject({ in: 'query', aliases: ['pageToken', 'page_token'] });
      expect(parameters['limit']).toMatchObject({ in: 'query', schema: { minimum: 1, default: 25, maximum: 50 } });
      expect(parameters['limit']?.transform).toBeUndefined();
    }
    expect(Object.keys(operationSpec('updateGoodsQuestionTextEntity').parameters)).toEqual(['businessId']);
  });

  it('makes the body optional for getGoodsQuestions only', () => {
    expect(IDS.map((id) => operationSpec(id).requestBodyRequired)).toEqual([false, true, true]);
  });

  it('has the enums the fake and the client know', () => {
    expect(schemaEnum('QuestionsTextContentAuthorType')).toEqual([...QUESTION_AUTHOR_TYPES]);
    expect(schemaEnum('QuestionsTextContentModerationStatusType')).toEqual([...QUESTION_TEXT_STATUSES]);
    expect(schemaEnum('QuestionSortOrderType')).toEqual([...QUESTION_SORTS]);
    expect(schemaEnum('QuestionsTextEntityOperationType').sort()).toEqual(['CREATE', 'DELETE', 'UPDATE']);
    expect(schemaEnum('QuestionsTextEntityType')).toEqual(['QUESTION', 'ANSWER', 'COMMENT']);
  });
});

describe('the request bodies of REVIEWS-QUESTIONS.md §4.3', () => {
  it.each([
    { operationType: 'CREATE', parentEntityId: { id: 10, type: 'QUESTION' }, text: '...' },
    { operationType: 'CREATE', parentEntityId: { id: 20, type: 'ANSWER' }, text: '...' },
    { operationType: 'UPDATE', entityId: { id: 20, type: 'ANSWER' }, text: '...' },
    { operationType: 'UPDATE', entityId: { id: 30, type: 'COMMENT' }, text: '...' },
    { operationType: 'DELETE', entityId: { id: 20, type: 'ANSWER' } },
    { operationType: 'DELETE', entityId: { id: 30, type: 'COMMENT' } },
  ])('accepts %j', (body) => {
    expect(requestProblems('updateGoodsQuestionTextEntity', body)).toEqual([]);
  });

  it('reports what breaks the schema: a text over 5 000, an empty one, a bad type, no operationType', () => {
    const entityId = { id: 20, type: 'ANSWER' };
    expect(
      requestProblems('updateGoodsQuestionTextEntity', { operationType: 'UPDATE', entityId, text: 'x'.repeat(5001) }),
    ).toEqual(['text: longer than 5000']);
    expect(requestProblems('updateGoodsQuestionTextEntity', { operationType: 'UPDATE', entityId, text: '' })).toEqual([
      'text: shorter than 1',
    ]);
    expect(
      requestProblems('updateGoodsQuestionTextEntity', {
        operationType: 'DELETE',
        entityId: { id: 1, type: 'REVIEW' },
      }),
    ).toEqual(['entityId.type: "REVIEW" is not in the enum']);
    expect(requestProblems('updateGoodsQuestionTextEntity', { entityId })).toEqual(['operationType: required']);
    expect(requestProblems('getGoodsQuestions', { questionIds: [1], dateFrom: '01-03-2025' })).toEqual([
      'dateFrom: not a date',
    ]);
    expect(
      requestProblems('getGoodsQuestionAnswers', { answerIds: Array.from({ length: 51 }, (_, i) => i + 1) }),
    ).toEqual(['answerIds: too many items']);
  });
});
