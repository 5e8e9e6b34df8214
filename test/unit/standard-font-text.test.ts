/**
 * Text for PDF's standard fonts: what pdfkit's WinAnsi fonts show is kept, Latin letters with
 * other diacritics lose them, ligatures and odd spaces, dashes and quotes get their WinAnsi
 * look-alikes, and only what has none (Cyrillic, Greek, CJK, emoji) becomes `?`. The set of kept
 * characters is checked against pdfkit's own fonts, code point by code point.
 */
import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { standardFontText } from '../../functions/adapters/standard-font-text.js';

/** pdfkit's standard (AFM) font behind a font name: its glyph for a code point and the glyph's width. */
interface AfmFont {
  characterToGlyph(code: number): string;
  widthOfGlyph(glyph: string): number;
  encodeText(text: string): string[];
}

function afm(name: string): AfmFont {
  const doc = new PDFDocument();
  doc.font(name);
  return (doc as unknown as { _font: { font: AfmFont } })._font.font;
}

const fonts = [afm('Helvetica'), afm('Helvetica-Bold')];

/** Whether pdfkit draws `ch` as a real glyph of one WinAnsi byte in both fonts the renderer uses. */
function drawable(ch: string): boolean {
  const code = ch.codePointAt(0) ?? 0;
  // pdfkit writes U+0080-U+009F as bytes 0x80-0x9F, which WinAnsi shows as other characters (€...).
  if (code >= 0x80 && code <= 0x9f) return false;
  return fonts.every((f) => {
    const glyph = f.characterToGlyph(code);
    const bytes = f.encodeText(ch);
    return glyph !== '.notdef' && f.widthOfGlyph(glyph) > 0 && bytes.length === 1 && bytes[0]!.length === 2;
  });
}

const allCodePoints = (): string[] => {
  const out: string[] = [];
  for (let code = 0; code <= 0x2ffff; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue;
    out.push(String.fromCodePoint(code));
  }
  return out;
};

describe('standardFontText', () => {
  it('keeps exactly the characters pdfkit’s standard fonts encode, and writes nothing else', () => {
    const kept: string[] = [];
    for (const ch of allCodePoints()) {
      const out = standardFontText(ch);
      for (const c of out)
        if (c !== '\n') expect(drawable(c), `${JSON.stringify(ch)} -> ${JSON.stringify(out)}`).toBe(true);
      if (out === ch && ch !== '\n') kept.push(ch);
      if (drawable(ch)) expect(out, JSON.stringify(ch)).toBe(ch);
    }
    // ASCII, Latin-1 from the no-break space on, and WinAnsi's 27 characters at 0x80-0x9F.
    expect(kept).toHaveLength(95 + 96 + 27);
    expect(kept.filter((c) => c > '\u00ff').sort()).toEqual([...'ŠšŽžŒœŸƒˆ˜‚„†‡‰‹›™€–—‘’“”•…'].sort());
  });

  it('keeps WinAnsi text as it is and is idempotent', () => {
    const winAnsi =
      'Šárka Žáková, Ørsted, Þór, Müller & Søn: €1.250 – “Œuvre” — naïve façade … ‰ ™ ‹a› „b“ ‚c‘ † ‡ ƒ ˆ˜ Ÿ •';
    expect(standardFontText(winAnsi)).toBe(winAnsi);
    for (const text of [
      winAnsi,
      'Łukasz Dvořák z Gdańska, Şahin, 漢字, Дмитрий, ﬁle\u202f1\u2009000, 👍🏽',
    ]) {
      const once = standardFontText(text);
      expect(standardFontText(once)).toBe(once);
    }
  });

  it('drops the diacritics WinAnsi does not have from Latin letters (NFKD without combining marks)', () => {
    expect(standardFontText('Dvořák')).toBe('Dvorák');
    expect(standardFontText('Gdańsk')).toBe('Gdansk');
    expect(standardFontText('Erdős Ödön')).toBe('Erdos Ödön');
    expect(standardFontText('Şahin Ağaoğlu, İstanbul')).toBe('Sahin Agaoglu, Istanbul');
    expect(standardFontText('Ștefan Țurcanu')).toBe('Stefan Turcanu');
    expect(standardFontText('Čapek Ťoupalík Ľudovít Ůvaly')).toBe('Capek Toupalík Ludovít Uvaly');
    expect(standardFontText('Nguyễn Văn Ánh')).toBe('Nguyen Van Ánh');
    expect(standardFontText('Ēriks Ķēniņš Ģirts')).toBe('Eriks Keninš Girts');
    // Typed in decomposed form (r + combining caron, e + combining acute), the same.
    expect(standardFontText('Dvor\u030Ca\u0301k Ce\u0301line')).toBe('Dvorák Céline');
    // A WinAnsi letter inside a decomposition survives: ǅ is D + ž.
    expect(standardFontText('ǅ Ǆ')).toBe('Dž DŽ');
  });

  it('maps the Latin letters NFKD does not decompose', () => {
    expect(standardFontText('Łukasz Łódź')).toBe('Lukasz Lódz');
    expect(standardFontText('Đorđe Đuričić')).toBe('Dorde Duricic');
    expect(standardFontText('Ħamrun ħ')).toBe('Hamrun h');
    expect(standardFontText('Kılıç')).toBe('Kiliç');
    expect(standardFontText('Ŧŧ Ŋŋ ĸ ẞ Əliyev')).toBe('Tt Nn k SS Aliyev');
    // These NFKD does decompose: Catalan middle-dot l, Dutch ij, apostrophe-n.
    expect(standardFontText('Col·lecció coŀlecció Ĳssel ŉ')).toBe('Col·lecció col·lecció IJssel ’n');
  });

  it('writes ligatures and compatibility forms as their letters (NFKD)', () => {
    expect(standardFontText('ﬁnance ﬂow ﬀ ﬃ')).toBe('finance flow ff ffi');
    expect(standardFontText('Ａｃｍｅ № 5 ⅓ ½ x² ℓ')).toBe('Acme No 5 1/3 ½ x² l');
  });

  it('turns odd spaces into spaces, keeping non-breaking ones non-breaking, and drops invisible characters', () => {
    expect(standardFontText('a\u2002b\u2003c\u2009d\u200ae\u3000f\u205fg\u1680h')).toBe('a b c d e f g h');
    expect(standardFontText('10\u202f000 \u00a0Ltd 1\u20070')).toBe('10\u00a0000 \u00a0Ltd 1\u00a00');
    expect(standardFontText('zero\u200bwidth\u200c\u200d\u2060\ufeff\u200e\u202ax\u202c')).toBe('zerowidthx');
    expect(standardFontText('line\u2028next\u2029para\r\nend\rx\ty')).toBe('line\nnext\npara\nend\nx    y');
    // Control characters print nothing; C1 controls must not reach pdfkit, which writes them as € ‚ ...
    expect(standardFontText('a\u0000b\u0007c\u0080d\u0092e\u007f')).toBe('abcde');
    // The soft hyphen is WinAnsi: pdfkit hyphenates at it.
    expect(standardFontText('Migra\u00adtion')).toBe('Migra\u00adtion');
  });

  it('turns other dashes, quotes and primes into their WinAnsi look-alikes', () => {
    expect(standardFontText('a\u2010b\u2011c\u2012d\u2015e\u2212f')).toBe('a-b-c-d—e-f');
    expect(standardFontText('O\u02bcBrien \u02bbokina \u201bx\u201f 5\u2032 10\u2033')).toBe(
      'O’Brien ‘okina ‘x“ 5\' 10"',
    );
    expect(standardFontText('\u2023 a \u2219 b 3\u22154')).toBe('• a • b 3/4');
  });

  it('writes no ? for Latin names', () => {
    const names =
      'Łukasz Dvořák Gdańsk Ørsted Şahin Þór Šimková Žofie Œdipe Ÿvonne Bjørn Ærø Ğül Đặng Kłodzko Wrocław Szczęsny Bolesław Świątek Přemysl Ľubomír Ødegaard Ólafur Ísak Ţepeş Hălmăgean Çağlar Māori Kūpuna Ēvalds';
    const out = standardFontText(names);
    expect(out).not.toContain('?');
    expect(out).toBe(
      'Lukasz Dvorák Gdansk Ørsted Sahin Þór Šimková Žofie Œdipe Ÿvonne Bjørn Ærø Gül Dang Klodzko Wroclaw Szczesny Boleslaw Swiatek Premysl Lubomír Ødegaard Ólafur Ísak Tepes Halmagean Çaglar Maori Kupuna Evalds',
    );
  });

  it('writes ? for text with no Latin look-alike (Cyrillic, Greek, CJK, emoji), one per character', () => {
    expect(standardFontText('Дмитрий Йовович')).toBe('??????? ???????');
    expect(standardFontText('Ελένη')).toBe('?????');
    expect(standardFontText('山田 한국')).toBe('?? ??');
    expect(standardFontText('ok 👍🏽 🎉')).toBe('ok ? ?');
    // One `?` per character a reader sees: a family joined by zero-width joiners, a flag; a keycap
    // keeps its digit (its enclosing mark is dropped).
    expect(standardFontText('Team 👨‍👩‍👧 🇬🇧 1️⃣ done')).toBe('Team ? ? 1 done');
    expect(standardFontText('Йо́ž')).toBe('??ž');
    // A question mark in the text stays one.
    expect(standardFontText('Ready?')).toBe('Ready?');
  });
});
