/**
 * Terminal output of the staff commands: aligned tables, RAG in colour on a terminal (never in a
 * pipe, nor with NO_COLOR), and every value from the API made safe to print: a name holding
 * escape sequences must not move the cursor, clear the screen or fake another line.
 */

/** Where a command writes, and whether it may use colour. */
export interface Output {
  out: (line: string) => void;
  color: boolean;
}

/** Colour on stdout only when it is a terminal that wants it. */
export function wantsColor(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  return Boolean(stream.isTTY) && env['NO_COLOR'] === undefined && env['TERM'] !== 'dumb';
}

/** A value as one printable line: control characters (escape sequences, newlines) become spaces. */
export function clean(value: unknown): string {
  if (value === undefined || value === null) return '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return String(value).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
}

const COLORS: Record<string, number> = { green: 32, amber: 33, red: 31 };

/** A RAG value, coloured when allowed. */
export function rag(value: string, color: boolean): string {
  const code = COLORS[value];
  return color && code ? `\u001b[${code}m${value}\u001b[0m` : value;
}

/** Columns of a table: a heading and how to paint a padded cell (colour), if at all. */
export interface Column {
  heading: string;
  /** Right-aligned (numbers). */
  right?: boolean;
  paint?: (padded: string, raw: string) => string;
}

/** An aligned table: headings, then one line per row; columns two spaces apart, no trailing spaces. */
export function table(columns: (Column | string)[], rows: unknown[][]): string[] {
  const cols = columns.map((c) => (typeof c === 'string' ? { heading: c } : c));
  const cells = rows.map((r) => cols.map((_, i) => clean(r[i])));
  const widths = cols.map((c, i) => Math.max(c.heading.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[], painted: boolean) =>
    values
      .map((v, i) => {
        const col = cols[i]!;
        const last = i === values.length - 1;
        const padded = col.right ? v.padStart(widths[i]!) : last ? v : v.padEnd(widths[i]!);
        return painted && col.paint ? col.paint(padded, v) : padded;
      })
      .join('  ')
      .trimEnd();
  return [
    line(
      cols.map((c) => c.heading),
      false,
    ),
    ...cells.map((r) => line(r, true)),
  ];
}

/** Hours without noise: 12, 7.5. */
export function hours(value: unknown): string {
  return typeof value === 'number' ? String(Math.round(value * 100) / 100) : '';
}

/** An index such as SPI with two decimals. */
export function index(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(2) : '-';
}
