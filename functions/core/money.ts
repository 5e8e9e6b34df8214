/**
 * Amounts of money in words. Building an `Intl.NumberFormat` costs far more than formatting with
 * one (it loads locale data), and every approval page and plan formats a few amounts: one
 * formatter per currency is kept for the life of the process.
 */
const formatters = new Map<string, Intl.NumberFormat | null>();

/** The formatter of a currency, or null for a code Intl does not know. */
function formatter(currency: string): Intl.NumberFormat | null {
  let f = formatters.get(currency);
  if (f === undefined) {
    try {
      f = new Intl.NumberFormat('en', { style: 'currency', currency });
    } catch {
      f = null;
    }
    // Currencies are ISO codes from specs: a handful per install, so the map stays small.
    if (formatters.size < 256) formatters.set(currency, f);
  }
  return f;
}

/** An amount of money in words (`£2,640.00`; the code after the number for an unknown currency). */
export function money(amount: number, currency: string): string {
  return formatter(currency)?.format(amount) ?? `${amount.toFixed(2)} ${currency}`;
}
