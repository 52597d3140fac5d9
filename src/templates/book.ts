/**
 * The quick replies on record and the rules for changing them: an operator adds, replaces and deletes their
 * own; TEMPLATES_FILE is configuration, so its templates are put back at every start, win for their names,
 * and are changed only in the file. Every change is durable before it is told (a change the store cannot
 * write is undone). Outcomes are values; the Telegram side words them.
 */
import { describeError } from '../bridge/reply-book.ts';
import type { TemplateRecord, TemplateStore } from './port.ts';
import type { SeedTemplate } from './seed-file.ts';
import { checkText, nameKey, TEMPLATES_MAX, templateName, templateText, type TextProblem } from './template.ts';

export type AddOutcome =
  | { kind: 'added' | 'replaced'; name: string }
  | { kind: 'bad-name' }
  | { kind: 'bad-text'; name: string; problem: TextProblem }
  /** The name belongs to a template of TEMPLATES_FILE. */
  | { kind: 'from-file'; name: string }
  | { kind: 'too-many'; max: number }
  | { kind: 'not-saved'; name: string; reason: string };

export type DeleteOutcome =
  | { kind: 'deleted'; name: string }
  | { kind: 'unknown'; name: string }
  | { kind: 'bad-name' }
  | { kind: 'from-file'; name: string }
  | { kind: 'not-saved'; name: string; reason: string };

/** What a start changed: templates of the file that are new or changed, and those gone from it. */
export interface SeedReport {
  put: string[];
  /** Templates added in Telegram that a template of the file replaced (same name). */
  overridden: string[];
  removed: string[];
}

export class TemplateBook {
  constructor(
    private readonly store: TemplateStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Every template, by name. */
  list(): TemplateRecord[] {
    return this.store.templates();
  }

  /** The template of that name (any case), if there is one. */
  find(rawName: string): TemplateRecord | undefined {
    const name = templateName(rawName);
    return name === undefined ? undefined : this.store.findTemplate(name);
  }

  /**
   * Claims a tap (by its callback query id) before its template is posted, durably: `seen` when it was
   * claimed before (Telegram delivered the update again), so one tap sends at most once, whatever crashes.
   */
  async claimTap(id: string): Promise<{ kind: 'new' | 'seen' } | { kind: 'not-saved'; reason: string }> {
    if (!this.store.rememberTap(id, this.now())) return { kind: 'seen' };
    try {
      await this.store.commit();
      return { kind: 'new' };
    } catch (err) {
      return { kind: 'not-saved', reason: describeError(err) };
    }
  }

  /** Adds a template from Telegram, or replaces one added there. */
  async add(rawName: string, rawText: string, by?: number): Promise<AddOutcome> {
    const name = templateName(rawName);
    if (name === undefined) return { kind: 'bad-name' };
    const text = templateText(rawText);
    const problem = checkText(text);
    if (problem) return { kind: 'bad-text', name, problem };
    const before = this.store.findTemplate(name);
    if (before?.source === 'file') return { kind: 'from-file', name };
    // Buttons carry a short key of the name: two names with one key cannot both be templates.
    if (this.store.templates().some((t) => t.name !== name && nameKey(t.name) === nameKey(name))) {
      return { kind: 'bad-name' };
    }
    if (!before && this.store.templates().length >= TEMPLATES_MAX) return { kind: 'too-many', max: TEMPLATES_MAX };
    const reason = await this.durably(name, before, () =>
      this.store.putTemplate({ name, text, source: 'telegram', updatedAt: this.now().toISOString(), by }),
    );
    if (reason !== undefined) return { kind: 'not-saved', name, reason };
    return { kind: before ? 'replaced' : 'added', name };
  }

  /** Deletes a template added from Telegram. */
  async delete(rawName: string): Promise<DeleteOutcome> {
    const name = templateName(rawName);
    if (name === undefined) return { kind: 'bad-name' };
    const before = this.store.findTemplate(name);
    if (!before) return { kind: 'unknown', name };
    if (before.source === 'file') return { kind: 'from-file', name };
    const reason = await this.durably(name, before, () => this.store.deleteTemplate(name));
    return reason === undefined ? { kind: 'deleted', name } : { kind: 'not-saved', name, reason };
  }

  /**
   * At start: the file's templates are put in the store (replacing a Telegram template of the same name),
   * and templates of an earlier file that this one no longer has are removed. Nothing is written when nothing
   * changed. Not durable until the caller commits.
   */
  seed(seeds: readonly SeedTemplate[]): SeedReport {
    const report: SeedReport = { put: [], overridden: [], removed: [] };
    const inFile = new Set(seeds.map((s) => s.name));
    for (const t of this.store.templates()) {
      if (t.source === 'file' && !inFile.has(t.name)) {
        this.store.deleteTemplate(t.name);
        report.removed.push(t.name);
      }
    }
    for (const seed of seeds) {
      const before = this.store.findTemplate(seed.name);
      if (before?.source === 'file' && before.text === seed.text) continue;
      if (before?.source === 'telegram') report.overridden.push(seed.name);
      this.store.putTemplate({ ...seed, source: 'file', updatedAt: this.now().toISOString() });
      report.put.push(seed.name);
    }
    return report;
  }

  /** Applies a change and commits it; when the store cannot be written, puts `before` back and says why. */
  private async durably(
    name: string,
    before: TemplateRecord | undefined,
    change: () => void,
  ): Promise<string | undefined> {
    change();
    try {
      await this.store.commit();
      return undefined;
    } catch (err) {
      if (before) this.store.putTemplate(before);
      else this.store.deleteTemplate(name);
      return describeError(err);
    }
  }
}
