/**
 * The `DocumentRenderer` that lays a document model out as a PDF with pdfkit: A4, Helvetica
 * (the PDF standard font, so nothing is embedded), a title block, numbered section headings,
 * paragraphs, lists, key-value rows and tables whose rows break across pages (the header row is
 * repeated on each page), and on every page a header with the project name and a footer with the
 * document title, its version and `page N of M`.
 *
 * The output depends only on the model: the creation date is the model's `createdAt` and pdfkit
 * derives the file id from it, so the same model gives the same bytes (and the same SHA-256).
 * The standard fonts show only WinAnsi (Latin-1 and a few more), so text drawn on a page goes
 * through `standardFontText`: Łukasz and Dvořák read Lukasz and Dvorák, Š, Ž and € stay, and only
 * what has no Latin look-alike (Cyrillic, Greek, CJK, emoji) shows as `?`. The document's
 * properties (title, author, subject) are Unicode strings in the PDF and keep the exact text.
 */
import PDFDocument from 'pdfkit';
import type { DocumentBlock, DocumentModel } from '../core/documents/model.js';
import type { DocumentRenderer } from '../core/ports.js';
import { standardFontText } from './standard-font-text.js';

const A4 = 'A4';
const MARGIN = 56; // 2 cm
const HEADER_Y = 28;
const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';
const TEXT_SIZE = 10;
const SMALL = 8;
const CELL_PAD = 4;
const GREY = '#52606d';
const RULE = '#c5cbd3';
const HEAD_FILL = '#eef0f3';

export interface PdfKitRendererOptions {
  /** Compress page content (default true); tests turn it off to read the text back. */
  compress?: boolean;
}

/** Renders document models to PDF bytes in this process. */
export class PdfKitRenderer implements DocumentRenderer {
  constructor(private readonly options: PdfKitRendererOptions = {}) {}

  async render(model: DocumentModel): Promise<Uint8Array> {
    const doc = new PDFDocument({
      size: A4,
      margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
      bufferPages: true,
      compress: this.options.compress ?? true,
      info: {
        Title: `${model.title}: ${model.projectName}`,
        Author: model.author,
        Subject: `${model.title}, version ${model.docVersion}`,
        Creator: 'milepost',
        Producer: 'milepost',
        CreationDate: new Date(model.createdAt),
        ModDate: new Date(model.createdAt),
      },
      font: FONT,
    });
    const chunks: Buffer[] = [];
    const done = new Promise<Uint8Array>((resolve, reject) => {
      doc.on('data', (c: Buffer) => chunks.push(c));
      doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
      doc.on('error', reject);
    });
    new Layout(doc).document(model);
    doc.end();
    return done;
  }
}

/** Writes one model into a pdfkit document. */
class Layout {
  constructor(private readonly doc: PDFKit.PDFDocument) {}

  private get width(): number {
    return this.doc.page.width - MARGIN * 2;
  }

  private get bottom(): number {
    return this.doc.page.height - MARGIN;
  }

  /** Starts a new page when fewer than `height` points are left on this one. */
  private ensure(height: number): void {
    if (this.doc.y + height > this.bottom) this.doc.addPage();
  }

  document(model: DocumentModel): void {
    const { doc } = this;
    doc.font(BOLD).fontSize(20).fillColor('black').text(standardFontText(model.title), { width: this.width });
    doc.moveDown(0.2);
    doc.font(FONT).fontSize(13).text(standardFontText(model.projectName), { width: this.width });
    doc.moveDown(0.4);
    doc.fontSize(TEXT_SIZE).fillColor(GREY);
    for (const line of model.meta) doc.text(standardFontText(line), { width: this.width });
    doc.text(`Version ${model.docVersion}`, { width: this.width });
    doc.fillColor('black');
    model.sections.forEach((section, i) => {
      doc.moveDown(1);
      // Keep a heading with at least a few lines of what follows it.
      this.ensure(60);
      doc
        .font(BOLD)
        .fontSize(13)
        .text(`${i + 1}. ${standardFontText(section.heading)}`, MARGIN, doc.y, { width: this.width });
      doc.moveDown(0.3);
      for (const block of section.blocks) this.block(block);
    });
    this.pageFurniture(model);
  }

  private block(block: DocumentBlock): void {
    const { doc } = this;
    doc.font(FONT).fontSize(TEXT_SIZE).fillColor('black');
    switch (block.type) {
      case 'paragraph':
        doc.text(standardFontText(block.text), MARGIN, doc.y, { width: this.width });
        doc.moveDown(0.5);
        return;
      case 'subheading':
        doc.moveDown(0.3);
        this.ensure(40);
        doc.font(BOLD).fontSize(11).text(standardFontText(block.text), MARGIN, doc.y, { width: this.width });
        doc.moveDown(0.2);
        return;
      case 'list':
        if (block.items.length === 0) {
          doc
            .fillColor(GREY)
            .text(standardFontText(block.empty ?? 'None.'), MARGIN, doc.y, { width: this.width });
          doc.fillColor('black').moveDown(0.5);
          return;
        }
        for (const item of block.items) {
          const line = standardFontText(item);
          this.ensure(Math.min(doc.heightOfString(line, { width: this.width - 14 }), 40));
          const y = doc.y;
          doc.text('\u2022', MARGIN, y, { width: 10, lineBreak: false });
          doc.text(line, MARGIN + 14, y, { width: this.width - 14 });
        }
        doc.moveDown(0.5);
        return;
      case 'keyValue':
        this.table(['', ''], block.rows, { keyValue: true });
        return;
      case 'table':
        if (block.rows.length === 0 && block.empty) {
          doc.fillColor(GREY).text(standardFontText(block.empty), MARGIN, doc.y, { width: this.width });
          doc.fillColor('black').moveDown(0.5);
          return;
        }
        this.table(block.columns, block.rows, {});
        return;
    }
  }

  /** Column widths in proportion to each column's longest text, within bounds. */
  private widths(columns: string[], rows: string[][], keyValue: boolean): number[] {
    const n = columns.length;
    if (keyValue) return [this.width * 0.32, this.width * 0.68];
    const longest = columns.map((c, i) =>
      Math.min(60, Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length), 4)),
    );
    const total = longest.reduce((a, b) => a + b, 0);
    const min = Math.min(48, this.width / n);
    const raw = longest.map((l) => Math.max(min, (l / total) * this.width));
    const scale = this.width / raw.reduce((a, b) => a + b, 0);
    return raw.map((w) => w * scale);
  }

  private rowHeight(cells: string[], widths: number[], bold: boolean): number {
    const { doc } = this;
    doc.font(bold ? BOLD : FONT).fontSize(TEXT_SIZE - 1);
    return (
      Math.max(
        ...widths.map((w, i) =>
          doc.heightOfString(standardFontText(cells[i] ?? ''), { width: w - CELL_PAD * 2 }),
        ),
      ) +
      CELL_PAD * 2
    );
  }

  private drawRow(cells: string[], widths: number[], style: { header?: boolean; keyCol?: boolean }): void {
    const { doc } = this;
    const height = this.rowHeight(cells, widths, Boolean(style.header));
    const top = doc.y;
    let x = MARGIN;
    if (style.header) doc.rect(MARGIN, top, this.width, height).fill(HEAD_FILL);
    widths.forEach((w, i) => {
      const bold = style.header || (style.keyCol && i === 0);
      doc
        .font(bold ? BOLD : FONT)
        .fontSize(TEXT_SIZE - 1)
        .fillColor('black')
        .text(standardFontText(cells[i] ?? ''), x + CELL_PAD, top + CELL_PAD, { width: w - CELL_PAD * 2 });
      x += w;
    });
    doc
      .moveTo(MARGIN, top + height)
      .lineTo(MARGIN + this.width, top + height)
      .lineWidth(0.5)
      .strokeColor(RULE)
      .stroke();
    doc.x = MARGIN;
    doc.y = top + height;
  }

  /**
   * A table whose rows never split: a row that does not fit on the page starts the next one, and
   * the header row is drawn again there. A row taller than a whole page is drawn anyway (pdfkit
   * continues its text on the next page).
   */
  private table(columns: string[], rows: string[][], opts: { keyValue?: boolean }): void {
    const { doc } = this;
    const widths = this.widths(columns, rows, Boolean(opts.keyValue));
    const header = !opts.keyValue;
    const headerHeight = header ? this.rowHeight(columns, widths, true) : 0;
    const first = rows[0] ? this.rowHeight(rows[0], widths, false) : 0;
    this.ensure(headerHeight + first);
    doc.x = MARGIN;
    if (header) this.drawRow(columns, widths, { header: true });
    for (const row of rows) {
      const h = this.rowHeight(row, widths, false);
      if (doc.y + h > this.bottom && h < this.bottom - MARGIN - headerHeight) {
        doc.addPage();
        if (header) this.drawRow(columns, widths, { header: true });
      }
      this.drawRow(row, widths, { keyCol: Boolean(opts.keyValue) });
    }
    doc.moveDown(0.8);
  }

  /** The header and footer of every page, written once all pages exist (to know their count). */
  private pageFurniture(model: DocumentModel): void {
    const { doc } = this;
    const range = doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      doc.switchToPage(i);
      // Writing in the margins must not start new pages.
      const bottomMargin = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      doc.font(FONT).fontSize(SMALL).fillColor(GREY);
      doc.text(standardFontText(model.projectName), MARGIN, HEADER_Y, {
        width: this.width,
        lineBreak: false,
        ellipsis: true,
      });
      doc.text(
        standardFontText(`${model.title}, version ${model.docVersion}`),
        MARGIN,
        doc.page.height - MARGIN + 20,
        { width: this.width / 2, lineBreak: false, ellipsis: true },
      );
      doc.text(`Page ${i - range.start + 1} of ${range.count}`, MARGIN, doc.page.height - MARGIN + 20, {
        width: this.width,
        align: 'right',
        lineBreak: false,
      });
      doc.page.margins.bottom = bottomMargin;
    }
    doc.fillColor('black');
  }
}
