/**
 * The product-review (goods feedback) operations of the copied partner-api spec (./partner-api/), pinned: what the
 * fake Market and the client take from it (paths, scopes, the `none` tier's limits, page limits, `sourceType`, which
 * bodies are required, the enums), and the exact request bodies of REVIEWS-QUESTIONS.md §3.3, checked against the
 * request schema.
 */
import { describe, expect, it } from 'vitest';
import { reviewCommentBody } from '../../src/market/reviews.ts';
import {
  MAX_REVIEW_COMMENT_LENGTH,
  REACTION_STATUSES,
  REVIEW_COMMENT_AUTHOR_TYPES,
  REVIEW_COMMENT_STATUSES,
  REVIEW_ROUTES,
  REVIEW_SCOPES,
} from '../fakes/market-review-types.ts';
import { DEFAULT_LIMITS } from '../fakes/market-server.ts';
import { REVIEW_OPERATIONS, operationSpec, requestProblems, responseProblems, schemaEnum } from './partner-spec.ts';
import type { ReviewOperationId } from './partner-spec.ts';

const IDS = Object.keys(REVIEW_OPERATIONS) as ReviewOperationId[];

describe('the review operations of the spec copy', () => {
  it.each(IDS)('%s is a POST on the path the fake serves, with the scopes it checks', (id) => {
    const op = operationSpec(id);
    expect([op.method, op.operationId, op.deprecated]).toEqual(['POST', id, false]);
    const suffix = Object.entries(REVIEW_ROUTES).find(([, methods]) => methods.POST === id)?.[0];
    expect(op.path).toBe(`/v2/businesses/{businessId}/${suffix ?? ''}`);
    expect([...op.scopes].sort()).toEqual([...REVIEW_SCOPES[id]].sort());
    expect(op.statuses).toEqual(['200', '400', '401', '403', '404', '420', '500']);
  });

  it('gives 5 000 an hour to each read, 1 000 to update and to delete, 500 to skip-reaction, as the fake charges', () => {
    for (const id of IDS) {
      const { limits } = operationSpec(id);
      expect(limits.none).toEqual({ amount: DEFAULT_LIMITS[id], period: '1 hours' });
      expect(limits.parallel).toBeUndefined();
    }
    expect(IDS.map((id) => operationSpec(id).limits.none.amount)).toEqual([5000, 5000, 1000, 1000, 500]);
    expect(IDS.map((id) => operationSpec(id).limits.medium.amount)).toEqual([10000, 10000, 1000, 1000, 1000]);
  });

  it('pages the two reads by pageToken (alias page_token) and a limit of 1–50, default 25', () => {
    for (const id of ['getGoodsFeedbacks', 'getGoodsFeedbackComments'] as const) {
      const { parameters } = operationSpec(id);
      expect(parameters['pageToken']).toMatchObject({ in: 'query', aliases: ['pageToken', 'page_token'] });
      expect(parameters['limit']).toMatchObject({ in: 'query', schema: { minimum: 1, default: 25, maximum: 50 } });
      expect(parameters['limit']?.transform).toBeUndefined();
    }
  });

  it('has sourceType on every method but getGoodsFeedbacks, and a body required on all but getGoodsFeedbacks', () => {
    expect(IDS.map((id) => 'sourceType' in operationSpec(id).parameters)).toEqual([false, true, true, true, true]);
    expect(IDS.map((id) => operationSpec(id).requestBodyRequired)).toEqual([false, true, true, true, true]);
    expect(schemaEnum('SourceType')).toEqual(['SELLER', 'ADVERTISER']);
  });

  it('has the enums the fake and the client know', () => {
    expect(schemaEnum('GoodsFeedbackCommentAuthorType')).toEqual([...REVIEW_COMMENT_AUTHOR_TYPES]);
    expect(schemaEnum('GoodsFeedbackCommentStatusType')).toEqual([...REVIEW_COMMENT_STATUSES]);
    expect(schemaEnum('FeedbackReactionStatusType')).toEqual([...REACTION_STATUSES]);
  });
});

describe('the bodies of updateGoodsFeedbackComment', () => {
  it('are those of REVIEWS-QUESTIONS.md §3.3, each valid against the request schema', () => {
    const bodies = [
      reviewCommentBody({ reviewId: 111, text: 'Thank you!' }),
      reviewCommentBody({ reviewId: 111, parentId: 222, text: '...' }),
      reviewCommentBody({ reviewId: 111, id: 333, text: 'new text' }),
      reviewCommentBody({ reviewId: 111, id: 333, parentId: 222, text: 'new text' }),
    ];
    expect(bodies).toEqual([
      { feedbackId: 111, comment: { text: 'Thank you!' } },
      { feedbackId: 111, comment: { parentId: 222, text: '...' } },
      { feedbackId: 111, comment: { id: 333, text: 'new text' } },
      // An edit names only the comment: the Market ignores parentId then.
      { feedbackId: 111, comment: { id: 333, text: 'new text' } },
    ]);
    for (const body of bodies) expect(requestProblems('updateGoodsFeedbackComment', body)).toEqual([]);
  });

  it('limit the text to 1–4096 characters, as the fake does', () => {
    const body = (text: string) => ({ feedbackId: 1, comment: { text } });
    expect(requestProblems('updateGoodsFeedbackComment', body('x'.repeat(MAX_REVIEW_COMMENT_LENGTH)))).toEqual([]);
    expect(requestProblems('updateGoodsFeedbackComment', body('x'.repeat(MAX_REVIEW_COMMENT_LENGTH + 1)))).toEqual([
      'comment.text: longer than 4096',
    ]);
    expect(requestProblems('updateGoodsFeedbackComment', body(''))).toEqual(['comment.text: shorter than 1']);
  });
});

describe('the body checker on reviews', () => {
  it('reports a review without its required fields, and a media list that is empty', () => {
    const review = {
      feedbackId: 1,
      createdAt: '2025-03-15T12:00:00+03:00',
      needReaction: true,
      identifiers: {},
      statistics: { rating: 5, commentsCount: 0 },
    };
    expect(responseProblems('getGoodsFeedbacks', { status: 'OK', result: { feedbacks: [review] } })).toEqual([]);
    const { statistics: _dropped, ...withoutStatistics } = review;
    expect(responseProblems('getGoodsFeedbacks', { status: 'OK', result: { feedbacks: [withoutStatistics] } })).toEqual(
      ['result.feedbacks[0].statistics: required'],
    );
    expect(
      responseProblems('getGoodsFeedbacks', {
        status: 'OK',
        result: { feedbacks: [{ ...review, media: { photos: [] } }] },
      }),
    ).toEqual(['result.feedbacks[0].media.photos: too few items']);
    expect(requestProblems('getGoodsFeedbacks', { feedbackIds: [1], sourceType: 'SELLER' })).toEqual([
      'sourceType: not in the spec',
    ]);
  });
});
