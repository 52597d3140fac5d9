/**
 * Telegram text (parse_mode HTML) as a value of its own. `html` is the one way to build it: every argument
 * that is not already Html is escaped, so buyer and operator text can never turn into markup, and Html
 * interpolated into Html is kept as it is. The Telegram port accepts nothing else.
 */

const BUILDER = Symbol('html');

/** Markup Telegram may parse as HTML; built only by `html` and `joinHtml`. */
export class Html {
  /** The markup, for the Telegram side to hand to the Bot API. */
  readonly markup: string;
  /** Not to be called: build Html with the `html` template. */
  constructor(markup: string, builder: symbol) {
    if (builder !== BUILDER) throw new TypeError('Html is built with the html template, which escapes its arguments');
    this.markup = markup;
  }

  toString(): string {
    return this.markup;
  }
}

/** What may be interpolated: text and numbers (escaped), Html (as it is), and lists of these (concatenated). */
export type HtmlArg = Html | string | number | readonly HtmlArg[];

/** Builds Html from a template, escaping every argument that is not Html already. */
export function html(strings: TemplateStringsArray, ...args: readonly HtmlArg[]): Html {
  let out = strings[0] ?? '';
  args.forEach((arg, i) => {
    out += render(arg) + (strings[i + 1] ?? '');
  });
  return new Html(out, BUILDER);
}

/** Joins items (escaped unless Html) with a separator (escaped unless Html). */
export function joinHtml(items: readonly HtmlArg[], separator: HtmlArg = ''): Html {
  const sep = render(separator);
  return new Html(items.map(render).join(sep), BUILDER);
}

function render(arg: HtmlArg): string {
  if (arg instanceof Html) return arg.markup;
  if (typeof arg === 'number') return escape(String(arg));
  if (typeof arg === 'string') return escape(arg);
  return arg.map(render).join('');
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
