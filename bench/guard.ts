/**
 * The reply guard against its corpus (test/guard/corpus.ts): how many violations it catches (recall) and how many
 * clean replies it would hold (false holds); and how long one check takes. Each round checks every reply of the
 * corpus once, timing each call on its own with performance.now(); 3 rounds warm up, 20 are measured. In the same
 * rounds, interleaved reply by reply, a baseline does the least any check must do — `text.toLowerCase()` and one
 * simple regex for a phone, an @ or a link — so the ratio says what the guard's rules cost over a bare scan.
 * The same for replies of the longest length the Market takes (4,096 characters), made of corpus replies.
 *
 *   npm run bench:guard
 */
import { corpus, type CorpusEntry } from '../test/guard/corpus.ts';
import {
  consoleTable,
  describeMachine,
  fmt,
  machine,
  runLine,
  stamp,
  summarise,
  table,
  watchdog,
  writeSection,
} from './lib.ts';

const WARM_UP = 3;
/** Replies as long as the Market takes (4,096 characters), made of corpus replies one after another. */
const LONG = 4096;
const LONG_TEXTS = 20;
const ROUNDS = 20;
const COMMAND = 'npm run bench:guard';

/** The baseline's one regex: a long digit run, an @ or a link. */
const BASELINE = /\+?\d[\d\s().-]{8,}\d|@|https?:\/\/|www\./;

/** `count` texts of `LONG` characters: corpus replies from a different starting point each, joined by line breaks. */
function longTexts(count: number): CorpusEntry[] {
  return Array.from({ length: count }, (_, k) => {
    let text = '';
    for (let i = (k * 37) % corpus.length; text.length < LONG; i = (i + 1) % corpus.length) {
      text += `${corpus[i]?.text ?? ''}\n`;
    }
    return { text: text.slice(0, LONG), violation: true };
  });
}

interface Timings {
  guard: number[];
  baseline: number[];
}

async function main(): Promise<void> {
  watchdog(120_000, 'bench:guard');
  const host = await machine();
  const started = performance.now();

  // Cold costs: loading the module (its regexes are built there), createGuard, and the first check (V8 compiles
  // each regex on its first use).
  const t0 = performance.now();
  const { createGuard } = await import('../src/guard/guard.ts');
  const guard = createGuard();
  const t1 = performance.now();
  guard.check(corpus[0]?.text ?? '', corpus[0]?.context);
  const loadMs = t1 - t0;
  const firstMs = performance.now() - t1;

  // Accuracy
  const violations = corpus.filter((e) => e.violation);
  const clean = corpus.filter((e) => !e.violation);
  const misses = violations.filter((e) => guard.check(e.text, e.context).length === 0);
  const holds = clean.filter((e) => guard.check(e.text, e.context).length > 0);
  const recall = 1 - misses.length / violations.length;
  const falseHolds = holds.length / clean.length;

  // Time per check
  const timings: Record<'clean' | 'violating' | 'long', Timings> = {
    clean: { guard: [], baseline: [] },
    violating: { guard: [], baseline: [] },
    long: { guard: [], baseline: [] },
  };
  const long = longTexts(LONG_TEXTS);
  let sink = 0;
  const time = (entry: CorpusEntry, into: Timings | undefined, guardFirst: boolean) => {
    const runGuard = () => {
      const t = performance.now();
      sink += guard.check(entry.text, entry.context).length;
      into?.guard.push((performance.now() - t) * 1000);
    };
    const runBaseline = () => {
      const t = performance.now();
      sink += BASELINE.test(entry.text.toLowerCase()) ? 1 : 0;
      into?.baseline.push((performance.now() - t) * 1000);
    };
    if (guardFirst) {
      runGuard();
      runBaseline();
    } else {
      runBaseline();
      runGuard();
    }
  };
  for (let round = 0; round < WARM_UP + ROUNDS; round++) {
    const measured = round >= WARM_UP;
    corpus.forEach((entry, i) => {
      time(entry, measured ? timings[entry.violation ? 'violating' : 'clean'] : undefined, (i + round) % 2 === 0);
    });
    long.forEach((entry, i) => time(entry, measured ? timings.long : undefined, (i + round) % 2 === 0));
  }
  if (sink < 0) console.log(sink); // keeps the results alive

  const seconds = (performance.now() - started) / 1000;
  const meanChars = corpus.reduce((s, e) => s + e.text.length, 0) / corpus.length;

  const accuracyHeaders = ['replies', 'violations', 'clean', 'recall', 'false holds', 'missed violations'];
  const accuracyRows = [
    [
      fmt(corpus.length, 0),
      fmt(violations.length, 0),
      fmt(clean.length, 0),
      fmt(recall, 3),
      `${fmt(falseHolds * 100, 1)} % (${holds.length})`,
      fmt(misses.length, 0),
    ],
  ];
  const timeHeaders = [
    'replies',
    'checks',
    'guard p50 µs',
    'guard p99 µs',
    'baseline p50 µs',
    'baseline p99 µs',
    'p50 ratio',
  ];
  const timeRows = (
    [
      ['clean', 'clean'],
      ['violating', 'violating'],
      ['long', `${fmt(LONG, 0)} characters (corpus replies joined)`],
    ] as const
  ).map(([kind, label]) => {
    const g = summarise(timings[kind].guard);
    const b = summarise(timings[kind].baseline);
    return [
      label,
      fmt(g.n, 0),
      fmt(g.p50, 1),
      fmt(g.p99, 1),
      fmt(b.p50, 2),
      fmt(b.p99, 2),
      `${fmt(g.p50 / b.p50, 0)}×`,
    ];
  });

  console.log(`\nReply guard (${describeMachine(host)}; ${fmt(seconds, 1)} s)\n`);
  console.log(consoleTable(accuracyHeaders, accuracyRows));
  for (const e of misses) console.log(`  missed: ${JSON.stringify(e.text)}`);
  for (const e of holds) console.log(`  held: ${JSON.stringify(e.text)}`);
  console.log('');
  console.log(consoleTable(timeHeaders, timeRows));
  console.log(
    `\nmodule load + createGuard ${fmt(loadMs, 1)} ms, first check ${fmt(firstMs, 1)} ms; ` +
      `mean reply ${fmt(meanChars, 0)} characters`,
  );

  await writeSection(
    'guard',
    [
      '## Reply guard',
      runLine(COMMAND, host, stamp(), seconds),
      table(accuracyHeaders, accuracyRows),
      'The rules were written against this corpus, so these figures say that it passes, not how it does on replies ' +
        'it has not seen: for that, see the held-out batches in [bench/README.md](bench/README.md#reply-guard-benchguard).',
      `Time per check, ${ROUNDS} rounds over the corpus after ${WARM_UP} to warm up (mean reply ` +
        `${fmt(meanChars, 0)} characters), and over ${LONG_TEXTS} replies of the longest length the Market ` +
        `takes. Cold: loading the module and createGuard ${fmt(loadMs, 1)} ms, ` +
        `the first check ${fmt(firstMs, 1)} ms.`,
      table(timeHeaders, timeRows),
    ].join('\n\n'),
  );
}

await main();
