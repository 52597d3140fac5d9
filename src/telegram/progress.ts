/**
 * The progress of a long first start, or of any Telegram backlog that will take more than a minute, shown in
 * General: one message, edited as it goes (chats imported of total, the waiting ones among them, what is
 * queued behind Telegram's limit and about how long it will take), and written to the log. It costs one call
 * a minute at most, in the operator lane: the people watching it are waiting for it.
 *
 * The time left is an estimate in Telegram calls at the group's rate: the calls waiting for their turn, plus
 * about two for each chat still to import (its topic and card, or its first posts).
 */
import type { Logger } from 'pino';
import type { ImportProgress } from '../bridge/imports.ts';
import { html } from '../bridge/html.ts';
import type { ProgressFigures, ProgressTexts } from '../bridge/progress-texts.ts';
import type { GeneralMessage } from './general-message.ts';

/** Calls still to come for each chat to import, besides those already queued. */
const CALLS_PER_IMPORT = 2;
/** An episode ends when nothing is left to import and at most this many calls wait. */
const DONE_AT_QUEUED = 2;

export interface ProgressOptions {
  /** Makes the message of a new episode. */
  message: () => GeneralMessage;
  imports: () => ImportProgress;
  /** Telegram calls waiting for their turn in the group's budget. */
  queued: () => number;
  /** Time per call at the group's rate. */
  spacingMs: number;
  texts: ProgressTexts;
  log: Logger;
  /** Shown once the estimate exceeds this (default a minute). */
  thresholdMs?: number;
  /** Edited at most this often (default a minute). */
  editEveryMs?: number;
  /** How often the figures are looked at (default 5 s). */
  checkEveryMs?: number;
  now?: () => number;
}

interface Episode {
  message: GeneralMessage;
  startedAt: number;
  base: ImportProgress;
  /** Whether chats were being imported during the episode (a first start, not only a backlog). */
  importing: boolean;
  shownAt: number;
}

export class ProgressReport {
  private episode: Episode | undefined;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(private readonly o: ProgressOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.o.checkEveryMs ?? 5_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Looks at the figures once: begins, updates or ends an episode. Never throws. */
  async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.step();
    } catch (err) {
      this.o.log.warn({ err }, 'could not show the progress in General');
    } finally {
      this.busy = false;
    }
  }

  private async step(): Promise<void> {
    const { o } = this;
    const now = (o.now ?? Date.now)();
    const imports = o.imports();
    const queued = o.queued();
    const etaMs = (queued + CALLS_PER_IMPORT * imports.importing) * o.spacingMs;
    let episode = this.episode;
    if (!episode) {
      if (etaMs <= (o.thresholdMs ?? 60_000)) return;
      episode = { message: o.message(), startedAt: now, base: imports, importing: false, shownAt: -Infinity };
      this.episode = episode;
    }
    episode.importing ||= imports.importing > 0;
    const imported = imports.imported - episode.base.imported;
    if (imports.importing === 0 && queued <= DONE_AT_QUEUED) {
      this.episode = undefined;
      const seconds = (now - episode.startedAt) / 1000;
      o.log.info({ chats: episode.importing ? imported : undefined, seconds }, 'backlog done');
      await episode.message.show(html`${o.texts.done({ chats: episode.importing ? imported : undefined, seconds })}`);
      return;
    }
    if (now - episode.shownAt < (o.editEveryMs ?? 60_000)) return;
    episode.shownAt = now;
    const waitingDone = imports.importedWaiting - episode.base.importedWaiting;
    const figures: ProgressFigures = {
      imported: episode.importing
        ? {
            done: imported,
            total: imported + imports.importing,
            waitingDone,
            waitingTotal: waitingDone + imports.importingWaiting,
          }
        : undefined,
      queued,
      etaSeconds: etaMs / 1000,
    };
    o.log.info({ ...figures.imported, queued, etaSeconds: Math.round(figures.etaSeconds) }, 'backlog progress');
    await episode.message.show(html`${o.texts.running(figures)}`);
  }
}
