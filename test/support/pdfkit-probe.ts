/**
 * A bundle entry for test/infra/bundle-contents.test.ts: asks pdfkit, bundled as the documents
 * function bundles it, for each feature whose library infra/bundle.ts leaves out (an embedded
 * font, a PNG image, AES encryption) and for the RC4 encryption that stays, and reports what
 * happened.
 */
import PDFDocument from 'pdfkit';

/** A PNG signature and nothing else: enough for pdfkit to hand the bytes to its PNG decoder. */
const PNG_SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

/** Renders what `feature` needs; `ok` and the PDF's first bytes, or the error's message. */
export async function handler(feature: 'font' | 'image' | 'aes' | 'rc4'): Promise<string> {
  try {
    const doc = new PDFDocument(
      feature === 'aes'
        ? { userPassword: 'secret', pdfVersion: '1.7' }
        : feature === 'rc4'
          ? { userPassword: 'secret' }
          : {},
    );
    const chunks: Buffer[] = [];
    const done = new Promise<Buffer>((resolve) => {
      doc.on('data', (c: Buffer) => chunks.push(c));
      doc.on('end', () => resolve(Buffer.concat(chunks)));
    });
    if (feature === 'font') doc.font(Buffer.from('not a standard font name'));
    if (feature === 'image') doc.image(Buffer.from(PNG_SIGNATURE));
    doc.text('probe');
    doc.end();
    const pdf = await done;
    return `ok ${pdf.subarray(0, 5).toString('latin1')} ${pdf.toString('latin1').includes('/Encrypt')}`;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
