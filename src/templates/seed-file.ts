/**
 * The content of TEMPLATES_FILE: a map of name → text, or a list of { name, text }, in YAML or JSON. Every
 * problem is collected, each saying which template it is about, so a person fixes the file in one go.
 */
import { parse as parseYaml } from 'yaml';
import { checkText, NAME_MAX, PLACEHOLDER_NAMES, TEMPLATES_MAX, TEXT_MAX, templateName } from './template.ts';

/** One template as the file gives it (name lower case, text trimmed). */
export interface SeedTemplate {
  name: string;
  text: string;
}

/** TEMPLATES_FILE cannot be used; `problems` say why, each on its own. */
export class TemplatesFileError extends Error {
  readonly code = 'TEMPLATES_FILE_INVALID';
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'TemplatesFileError';
  }
}

export type FileFormat = 'yaml' | 'json';

/** `.json` is read as JSON; anything else as YAML (which JSON also is). */
export function formatOf(file: string): FileFormat {
  return file.toLowerCase().endsWith('.json') ? 'json' : 'yaml';
}

const SHAPE = 'write a map of name: text, or a list of items with a name and a text';

/** Reads the templates out of the file's content. Throws TemplatesFileError listing every problem. */
export function parseTemplatesFile(content: string, format: FileFormat): SeedTemplate[] {
  const data = parseContent(content, format);
  if (data === null || data === undefined) throw new TemplatesFileError([`it is empty: ${SHAPE}`]);
  const problems: string[] = [];
  /** `where`: the list item, for a problem with its name (a map's key is the name itself). */
  const entries: Array<{ rawName: unknown; rawText: unknown; where?: string }> = [];
  if (Array.isArray(data)) {
    data.forEach((item: unknown, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item) || !('name' in item) || !('text' in item))
        problems.push(`item ${i + 1} of the list must have a name and a text`);
      else entries.push({ rawName: item.name, rawText: item.text, where: `item ${i + 1}` });
    });
  } else if (typeof data === 'object') {
    for (const [rawName, rawText] of Object.entries(data)) entries.push({ rawName, rawText });
  } else {
    throw new TemplatesFileError([`it holds a single value: ${SHAPE}`]);
  }
  const templates: SeedTemplate[] = [];
  const seen = new Set<string>();
  for (const { rawName, rawText, where } of entries) {
    const name = typeof rawName === 'string' || typeof rawName === 'number' ? templateName(String(rawName)) : undefined;
    if (name === undefined) {
      const what = `"${String(rawName)}" is not a template name: use 1–${NAME_MAX} letters, digits, _ or -`;
      problems.push(where ? `${where}: ${what}` : what);
      continue;
    }
    if (seen.has(name)) {
      problems.push(`"${name}" appears twice (upper and lower case count as the same name)`);
      continue;
    }
    seen.add(name);
    const problem = textProblem(rawText);
    if (problem) problems.push(`"${name}" ${problem}`);
    else templates.push({ name, text: (rawText as string).trim() });
  }
  if (seen.size > TEMPLATES_MAX) problems.push(`it holds ${seen.size} templates, more than ${TEMPLATES_MAX}`);
  if (problems.length > 0) throw new TemplatesFileError(problems);
  return templates;
}

function parseContent(content: string, format: FileFormat): unknown {
  try {
    return format === 'json'
      ? (JSON.parse(content) as unknown)
      : (parseYaml(content, { logLevel: 'error' }) as unknown);
  } catch (err) {
    // The first line names the place (yaml: "… at line 3, column 5:"); the rest is a picture of it.
    const detail = (err as Error).message.split('\n')[0]?.replace(/:$/, '');
    throw new TemplatesFileError([`it is not valid ${format === 'json' ? 'JSON' : 'YAML'} (${detail})`]);
  }
}

/** Why a value cannot be a template's text, or undefined. */
function textProblem(raw: unknown): string | undefined {
  if (raw === null || raw === undefined) return 'has an empty text';
  if (typeof raw !== 'string') return 'has a text that is not a string: put it in quotes';
  const problem = checkText(raw.trim());
  switch (problem?.kind) {
    case undefined:
      return undefined;
    case 'empty':
      return 'has an empty text';
    case 'too-long':
      return `has a text of ${problem.length} characters, more than ${TEXT_MAX}`;
    case 'unknown-placeholders':
      return `uses ${problem.names.map((n) => `{${n}}`).join(', ')}, which ${problem.names.length === 1 ? 'is' : 'are'} not a placeholder (known: ${PLACEHOLDER_NAMES.map((n) => `{${n}}`).join(', ')})`;
  }
}
