/**
 * Reads a stack trace of a deployed function with its source map. The code zip holds no map and
 * the runtime applies none (infra/bundle.ts), so a trace in CloudWatch Logs points into the
 * minified `index.mjs`; `cdk synth` keeps each function's map in `cdk.out/source-maps/`.
 *
 *   npx tsx infra/stack-trace.ts cdk.out/source-maps/<function>.<code hash>.mjs.map < trace.txt
 *
 * prints the trace with every `index.mjs:<line>:<column>` followed by the source position.
 */
import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';

/** Rewrites each `index.mjs:<line>:<column>` of `trace` (1-based, as Node prints them) with its source position. */
export function mapStackTrace(trace: string, map: SourceMapPayload): string {
  const sourceMap = new SourceMap(map);
  return trace.replace(/(index\.mjs):(\d+):(\d+)/g, (whole, _file, line: string, column: string) => {
    const origin = sourceMap.findOrigin(Number(line), Number(column));
    if (!('fileName' in origin) || !origin.fileName) return whole;
    const name = origin.name ? ` ${origin.name}` : '';
    return `${whole} [${origin.fileName}:${origin.lineNumber}:${origin.columnNumber}${name}]`;
  });
}

if (process.argv[1]?.endsWith('stack-trace.ts')) {
  const mapFile = process.argv[2];
  if (!mapFile) {
    process.stderr.write('usage: stack-trace.ts <source map> < trace\n');
    process.exit(2);
  }
  const map = JSON.parse(readFileSync(mapFile, 'utf8')) as SourceMapPayload;
  process.stdout.write(mapStackTrace(readFileSync(0, 'utf8'), map));
}
