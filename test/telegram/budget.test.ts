import { describe, expect, it } from 'vitest';
import type { Lane } from '../../src/bridge/ports.ts';
import { CallBudget } from '../../src/telegram/budget.ts';

/** Queues one turn per [lane, key]; returns the order the turns started in (by label) and their start times. */
async function run(budget: CallBudget, turns: Array<[Lane, number, string]>, holdMs = 0) {
  const order: string[] = [];
  const at: number[] = [];
  await Promise.all(
    turns.map(([lane, key, label]) =>
      budget.within(lane, key, async () => {
        const turn = await budget.take();
        order.push(label);
        at.push(performance.now());
        await new Promise((r) => setTimeout(r, holdMs));
        turn.end();
      }),
    ),
  );
  return { order, at };
}

describe('CallBudget: the group’s Telegram calls by priority', () => {
  it('starts the most urgent lane first: an operator notice overtakes a backlog of history', async () => {
    const budget = new CallBudget({ groupPerMinute: 6000, globalPerSecond: 1000 });
    const first = budget.within('history', 1, () => budget.take()); // takes the first turn at once
    const turn = await first;
    const later = run(budget, [
      ['history', 1, 'h1'],
      ['history', 2, 'h2'],
      ['cosmetic', 3, 'rename'],
      ['live', 4, 'live'],
      ['waiting', 5, 'waiting'],
      ['operator', 6, 'notice'],
    ]);
    await new Promise((r) => setTimeout(r, 5));
    expect(budget.queued()).toEqual({ operator: 1, waiting: 1, live: 1, history: 2, cosmetic: 1 });
    turn.end();
    expect((await later).order).toEqual(['notice', 'waiting', 'live', 'h1', 'h2', 'rename']);
    expect(budget.queued()).toEqual({ operator: 0, waiting: 0, live: 0, history: 0, cosmetic: 0 });
  });

  it('takes turns round-robin across topics within a lane, each topic in its own order', async () => {
    const budget = new CallBudget({ groupPerMinute: 6000, globalPerSecond: 1000 });
    const turn = await budget.within('live', 9, () => budget.take());
    const later = run(budget, [
      ['live', 1, 'a1'],
      ['live', 1, 'a2'],
      ['live', 1, 'a3'],
      ['live', 2, 'b1'],
      ['live', 2, 'b2'],
      ['live', 3, 'c1'],
    ]);
    await new Promise((r) => setTimeout(r, 5));
    turn.end();
    expect((await later).order).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
  });

  it('spaces turns evenly at the group rate, one call at a time', async () => {
    const budget = new CallBudget({ groupPerMinute: 1200, globalPerSecond: 1000 }); // one per 50.5 ms
    const { at } = await run(
      budget,
      Array.from({ length: 5 }, (_, i): [Lane, number, string] => ['live', i, `m${i}`]),
    );
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(49);
  });

  it('waits out a 429 before any further turn', async () => {
    const budget = new CallBudget({ groupPerMinute: 6000, globalPerSecond: 1000 });
    const turn = await budget.take();
    budget.pause(0.2);
    turn.end();
    const t0 = performance.now();
    const { at } = await run(budget, [['operator', 0, 'after']]);
    expect(at[0]! - t0).toBeGreaterThanOrEqual(190);
  });

  it('counts a call outside any lane as an operator’s', async () => {
    const budget = new CallBudget({ groupPerMinute: 6000, globalPerSecond: 1000 });
    const turn = await budget.within('history', 1, () => budget.take());
    const order: string[] = [];
    const h = budget.within('history', 1, () => budget.take().then((t) => (order.push('history'), t.end())));
    const o = budget.take().then((t) => (order.push('no lane'), t.end()));
    await new Promise((r) => setTimeout(r, 5));
    turn.end();
    await Promise.all([h, o]);
    expect(order).toEqual(['no lane', 'history']);
  });

  it('keeps a reserved turn for the topic’s next call, which starts at once ahead of every lane', async () => {
    const budget = new CallBudget({ groupPerMinute: 6000, globalPerSecond: 1000 });
    const release = await budget.reserve('history', 7);
    const order: string[] = [];
    const others = run(budget, [['operator', 1, 'notice']]).then((r) => order.push(...r.order));
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([]); // the reserved turn holds the group
    const post = await budget.within('history', 7, () => budget.take());
    order.push('reserved post');
    post.end();
    release(); // after the call: nothing more to hand back
    await others;
    expect(order).toEqual(['reserved post', 'notice']);
  });

  it('hands an unused reserved turn back at no cost: the next turn starts without waiting for the spacing', async () => {
    const budget = new CallBudget({ groupPerMinute: 60, globalPerSecond: 1000 }); // one per ~1 s
    const release = await budget.reserve('live', 3);
    const t0 = performance.now();
    const next = run(budget, [['live', 4, 'next']]);
    release();
    const { at } = await next;
    expect(at[0]! - t0).toBeLessThan(500);
  });

  it('hands a reserved turn back by itself when its call does not come in time', async () => {
    const budget = new CallBudget({ groupPerMinute: 6000, globalPerSecond: 1000 });
    await budget.reserve('live', 3, 50);
    const t0 = performance.now();
    const { at } = await run(budget, [['operator', 4, 'notice']]);
    expect(at[0]! - t0).toBeGreaterThanOrEqual(45);
    // The topic's later call queues like any other: the reservation is gone.
    const later = await budget.within('live', 3, () => budget.take());
    later.end();
  });

  it('spaces the call after a used reserved turn like any other', async () => {
    const budget = new CallBudget({ groupPerMinute: 600, globalPerSecond: 1000 }); // one per ~101 ms
    const release = await budget.reserve('live', 3);
    const t0 = performance.now();
    const used = await budget.within('live', 3, () => budget.take());
    used.end();
    release();
    const { at } = await run(budget, [['live', 4, 'next']]);
    expect(at[0]! - t0).toBeGreaterThanOrEqual(95);
  });

  it('shares the bot’s per-second limit across the budgets of several chats when they share its window', async () => {
    const startsWithin = async (budgets: CallBudget[]) => {
      const t0 = performance.now();
      const at: number[] = [];
      await Promise.all(
        budgets.flatMap((b, i) =>
          [1, 2].map((k) =>
            b.within('live', i * 10 + k, async () => {
              const turn = await b.take();
              at.push(performance.now() - t0);
              turn.end();
            }),
          ),
        ),
      );
      return at.filter((ms) => ms < 500).length;
    };
    const options = { groupPerMinute: 60_000, globalPerSecond: 2 };
    // Apart, each chat's budget lets 2 calls a second through: 4 at once for two chats.
    expect(await startsWithin([new CallBudget(options), new CallBudget(options)])).toBe(4);
    // Sharing one window, the two chats together stay at the bot's 2 a second.
    const globalWindow: number[] = [];
    const shared = [new CallBudget({ ...options, globalWindow }), new CallBudget({ ...options, globalWindow })];
    expect(await startsWithin(shared)).toBe(2);
  });
});
