/**
 * Text as PDF's standard fonts can show it. The renderer draws with Helvetica without embedding a
 * font, so a character is either one of the WinAnsi encoding's (ASCII, the printable Latin-1 range
 * and the 27 characters WinAnsi puts at 0x80-0x9F: Š š Ž ž Œ œ Ÿ ƒ ˆ ˜ ‚ „ † ‡ ‰ ‹ › ™ € – — ‘ ’
 * “ ” • …) or nothing a reader could read. Names like Łukasz, Dvořák, Gdańsk or Şahin must
 * still read as names, so each other character becomes the closest text the fonts can show.
 */

/**
 * WinAnsi's characters beyond Latin-1, exactly the ones pdfkit's standard (AFM) fonts encode
 * (its WIN_ANSI_MAP); test/unit/standard-font-text.test.ts checks the set against pdfkit itself.
 */
const WIN_ANSI_EXTRA = new Set('ŠšŽžŒœŸƒˆ˜‚„†‡‰‹›™€–—‘’“”•…');

/** Whether the standard fonts show `ch` (one code point) as itself. */
function showable(ch: string): boolean {
  const code = ch.codePointAt(0) ?? 0;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(ch);
}

/**
 * Characters with no useful compatibility decomposition, each with its look-alike: Latin letters
 * NFKD leaves alone (a stroke or a bar is part of the letter, not a combining mark), spaces that
 * must not break a line, dashes, quotes and primes, and the fraction slash NFKD produces (⅓ -> 1⁄3).
 * Looked up before NFKD, so that e.g. ″ becomes " rather than two primes.
 */
const LOOK_ALIKES: Record<string, string> = {
  // Letters: Polish ł, Croatian/Vietnamese/Sami đ, Maltese ħ, Turkish ı, Sami ŧ ŋ, Greenlandic ĸ,
  // German capital ß, and the hooked letters of West African alphabets.
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  Ħ: 'H',
  ħ: 'h',
  ı: 'i',
  Ŧ: 'T',
  ŧ: 't',
  Ŋ: 'N',
  ŋ: 'n',
  ĸ: 'k',
  ẞ: 'SS',
  Ƀ: 'B',
  ƀ: 'b',
  Ɓ: 'B',
  Ɗ: 'D',
  ɗ: 'd',
  Ɖ: 'D',
  ɖ: 'd',
  Ɛ: 'E',
  ɛ: 'e',
  Ɔ: 'O',
  ɔ: 'o',
  Ǥ: 'G',
  ǥ: 'g',
  Ɨ: 'I',
  ɨ: 'i',
  Ƙ: 'K',
  ƙ: 'k',
  ƚ: 'l',
  Ɲ: 'N',
  ɲ: 'n',
  Ƞ: 'N',
  ƞ: 'n',
  Ɵ: 'O',
  ɵ: 'o',
  Ƥ: 'P',
  ƥ: 'p',
  Ƭ: 'T',
  ƭ: 't',
  Ʈ: 'T',
  ʈ: 't',
  Ʋ: 'V',
  ʋ: 'v',
  Ƴ: 'Y',
  ƴ: 'y',
  Ƶ: 'Z',
  ƶ: 'z',
  // Azerbaijani schwa: Əliyev is written Aliyev in Latin-only text.
  Ə: 'A',
  ə: 'a',
  // Non-breaking spaces stay non-breaking (NFKD would make them ordinary spaces).
  '\u2007': '\u00a0',
  '\u202f': '\u00a0',
  // Dashes and hyphens.
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2015': '—',
  '\u2212': '-',
  '\u2e3a': '—',
  '\u2e3b': '—',
  // Quotes, apostrophes and primes.
  '\u02bc': '’',
  '\u02bb': '‘',
  '\u02b9': "'",
  '\u02ba': '"',
  '\u02c8': "'",
  '\u201b': '‘',
  '\u201f': '“',
  '\u2032': "'",
  '\u2033': '"',
  '\u2035': "'",
  '\u2036': '"',
  '\u300c': '“',
  '\u300d': '”',
  // Slashes and bullets.
  '\u2044': '/',
  '\u2215': '/',
  '\u2023': '•',
  '\u2043': '-',
  '\u2219': '•',
  '\u25e6': '•',
};

/** Marks, invisible format characters (zero-width spaces, joiners, direction marks) and skin tones. */
const INVISIBLE = /^[\p{M}\p{Default_Ignorable_Code_Point}\p{Emoji_Modifier}]$/u;

/** One code point as the closest text the standard fonts can show, or undefined if there is none. */
function look(ch: string): string | undefined {
  if (showable(ch) || ch === '\n') return ch;
  const alike = LOOK_ALIKES[ch];
  if (alike !== undefined) return alike;
  if (ch === '\t') return '    ';
  if (/^[\u2028\u2029\u0085]$/.test(ch)) return '\n';
  if (/^\p{Zs}$/u.test(ch)) return ' ';
  if (INVISIBLE.test(ch) || /^\p{Cc}$/u.test(ch)) return '';
  const decomposed = ch.normalize('NFKD');
  if (decomposed === ch) return undefined;
  // Each base character with its marks: kept whole where that composes to a showable character
  // (ǅ -> Dž), else the base without them (ř -> r). A base NFKD gives is looked up once more
  // (ŉ -> ʼn -> ’n, ⅓ -> 1⁄3 -> 1/3); it does not decompose again, so this ends there.
  let out = '';
  for (const cluster of decomposed.match(/\P{M}\p{M}*|\p{M}+/gu) ?? []) {
    const composed = cluster.normalize('NFC');
    if ([...composed].every(showable)) {
      out += composed;
      continue;
    }
    for (const base of cluster.replace(/\p{M}/gu, '')) {
      const shown = base === ch ? undefined : look(base);
      // Greek, Cyrillic, Hangul...: a letter with no Latin look-alike is one `?`, not one per part.
      if (shown === undefined) return undefined;
      out += shown;
    }
  }
  return out;
}

/**
 * `text` as the closest text PDF's standard fonts (WinAnsi) can show. Every character WinAnsi has
 * is kept as it is (é, ß, Ø, Þ, Š, Ž, Œ, €, –, “ ...). Latin letters with other diacritics lose
 * them (Unicode NFKD with the combining marks removed: ř -> r, ń -> n, ő -> o, ş -> s), and the
 * letters NFKD does not decompose are mapped explicitly (ł -> l, đ -> d, ħ -> h, ı -> i, ŧ -> t).
 * Ligatures and compatibility forms go through NFKD too (ﬁ -> fi, ŀ -> l·, ½ stays, ⅓ -> 1/3,
 * fullwidth Ａ -> A); odd spaces become a space (non-breaking ones the non-breaking space), other
 * dashes, quotes and primes their WinAnsi look-alikes, line and paragraph separators a line break,
 * a tab four spaces; invisible characters (zero-width, joiners, direction marks, variation
 * selectors, control characters) are dropped. Anything else (Cyrillic, Greek, Arabic, CJK, emoji)
 * has no look-alike and becomes `?`, one per character as a reader sees it (a grapheme: a flag or
 * an emoji joined from several is one). Text already showable comes back
 * unchanged except line ends (`\r\n` and `\r` become `\n`), so applying it twice changes nothing.
 */
export function standardFontText(text: string): string {
  let out = '';
  // NFC first: text typed in decomposed form (e + combining acute) is the same as é.
  const normal = text.replace(/\r\n?/g, '\n').normalize('NFC');
  // Most text is showable as it is: no grapheme segmentation (and no segmenter) for it.
  if ([...normal].every((ch) => ch === '\n' || showable(ch))) return normal;
  graphemes ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
  for (const { segment } of graphemes.segment(normal)) {
    let shown = '';
    for (const ch of segment) {
      const alike = look(ch);
      if (alike === undefined) {
        shown = '?';
        break;
      }
      shown += alike;
    }
    out += shown;
  }
  return out;
}

/**
 * Characters as a reader sees them (extended grapheme clusters): an emoji built of several code
 * points (a family joined by zero-width joiners, a flag's two regional indicators, a keycap) is
 * one `?`, not one per code point. Made when first needed: building it loads ICU's break rules,
 * about as long as the rest of the documents function's cold load.
 */
let graphemes: Intl.Segmenter | undefined;
