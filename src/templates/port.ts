/**
 * Where quick replies are kept: the port the store implements (beside the bridge's StorePort, in the same
 * main file, so templates survive restarts and are backed up with the replies).
 */

/** One quick reply. */
export interface TemplateRecord {
  /** Lower case, as templateName() gives it: the key. */
  name: string;
  /** Trimmed; may hold placeholders such as {order}. */
  text: string;
  /**
   * `file`: from TEMPLATES_FILE, put there again at every start, changed and removed only in the file.
   * `telegram`: added by an operator with /template add.
   */
  source: 'file' | 'telegram';
  /** ISO 8601: when it was added or last replaced. */
  updatedAt: string;
  /** The Telegram user who added it (source `telegram`). */
  by?: number;
}

/**
 * The templates on record. Changes count once `commit()` has resolved (the store's one commit, shared with
 * the bridge's records).
 */
export interface TemplateStore {
  /** Every template, by name. */
  templates(): TemplateRecord[];
  /** By its (lower-case) name. */
  findTemplate(name: string): TemplateRecord | undefined;
  /** Adds or replaces the template of that name. */
  putTemplate(template: TemplateRecord): void;
  deleteTemplate(name: string): void;
  /**
   * Records that the tap with this id (a callback query id) is acted on; false when it was already (the same
   * update delivered again after a restart). Remembered for a day.
   */
  rememberTap(id: string, now: Date): boolean;
  commit(): Promise<void>;
}
