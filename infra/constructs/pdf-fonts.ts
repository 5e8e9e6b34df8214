/**
 * The fonts of the documents function's bundle. pdfkit loads its standard fonts at run time with
 * `require('#standard-fonts/<name>')`, resolved through the `imports` map of the package.json
 * next to the code; esbuild cannot follow that call, so the bundle alone has no fonts. These
 * command hooks copy only the fonts the PDF renderer uses (Helvetica and Helvetica-Bold, with the
 * glyph-name table they share) next to the bundle and write that one-line package.json.
 * test/infra/deploy-bundles.test.ts renders a PDF with the bundled asset to prove it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { PROJECT_ROOT } from '../bundle.js';

/** The standard fonts functions/adapters/pdf-renderer.ts draws with (pdfkit's file names). */
export const PDF_FONTS = ['Helvetica', 'HelveticaBold'] as const;

const FONTS_DIR = join(PROJECT_ROOT, 'node_modules', 'pdfkit', 'js', 'standard-fonts');

/** Single-quoted for the shell CDK runs the hooks with. */
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Each font file with the chunk files it requires (relative to the fonts folder). */
export function pdfFontFiles(): string[] {
  const files = new Set<string>();
  for (const font of PDF_FONTS) {
    const file = `${font}.cjs`;
    files.add(file);
    const source = readFileSync(join(FONTS_DIR, file), 'utf8');
    for (const m of source.matchAll(/require\('\.\/([^']+\.cjs)'\)/g)) if (m[1]) files.add(m[1]);
  }
  return [...files].sort();
}

/** Command hooks that put the fonts and the `imports` map next to the bundle. */
export function pdfFontHooks(): nodejs.ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir: string, outputDir: string) => {
      const target = join(outputDir, 'standard-fonts');
      const packageJson = JSON.stringify({ imports: { '#standard-fonts/*': './standard-fonts/*.cjs' } });
      return [
        ...[...new Set(pdfFontFiles().map((f) => dirname(join(target, f))))].map(
          (d) => `mkdir -p ${quote(d)}`,
        ),
        ...pdfFontFiles().map((f) => `cp ${quote(join(FONTS_DIR, f))} ${quote(join(target, f))}`),
        `printf '%s' ${quote(packageJson)} > ${quote(join(outputDir, 'package.json'))}`,
      ];
    },
  };
}
