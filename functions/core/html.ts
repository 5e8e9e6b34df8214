/**
 * HTML built with a tagged template that escapes every interpolated value (escape-html), so
 * user-supplied strings (project names, comments) can never become markup. Nest fragments by
 * interpolating `html` results; `raw()` marks trusted markup explicitly.
 */
import escapeHtml from 'escape-html';

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | Interpolation[];

function render(v: Interpolation): string {
  if (v === null || v === undefined || v === false) return '';
  if (Array.isArray(v)) return v.map(render).join('');
  if (v instanceof SafeHtml) return v.value;
  return escapeHtml(String(v));
}

/** `html\`<p>${name}</p>\`` escapes `name`; arrays and nested `html` fragments are joined as-is. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Marks a string as trusted markup. Never pass user input. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

export { escapeHtml };
