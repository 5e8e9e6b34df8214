/**
 * `sdkSchemaLiteralKeys` (infra/bundle.ts) rewrites each SDK client's schema module so that
 * esbuild can drop the operations a function never calls. These tests hold it to two promises:
 * the rewritten module exports exactly the same schemas (the SDK serializes requests and reads
 * errors from them), and the rewrite reaches every computed key, so an SDK release that writes
 * its schemas differently fails here instead of silently bringing the whole service back.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BundleResult,
  bundleFunction,
  literalSchemaKeys,
  PROJECT_ROOT,
  sdkSchemaLiteralKeys,
} from '../../infra/bundle.js';

/** The SDK clients milepost bundles, and their schema modules. */
const CLIENTS = ['client-dynamodb', 'client-sfn', 'client-sesv2'];
const schemaFiles = CLIENTS.flatMap((client) => {
  const dir = join(PROJECT_ROOT, 'node_modules/@aws-sdk', client, 'dist-es/schemas');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => ({ client, file: join(dir, f) }));
});

const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The module `file` re-exported whole, bundled with or without the rewrite, then imported. */
async function loadSchemas(file: string, rewrite: boolean): Promise<Record<string, unknown>> {
  const outfile = join(tempDir('milepost-sdk-schemas-'), 'schemas.mjs');
  await build({
    stdin: { contents: `export * from ${JSON.stringify(file)};`, resolveDir: PROJECT_ROOT, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    mainFields: ['module', 'main'],
    outfile,
    logLevel: 'error',
    plugins: rewrite ? [sdkSchemaLiteralKeys] : [],
  });
  return (await import(pathToFileURL(outfile).href)) as Record<string, unknown>;
}

/**
 * A comparable picture of a schema value: the thunks that link schemas (`() => SendEmailRequest$`)
 * are followed, and a value that is itself an export is named instead of drawn again (schemas
 * refer to each other, and to themselves).
 */
function picture(value: unknown, exportsByValue: Map<unknown, string>, depth = 0): unknown {
  if (depth > 40) return '(deeper)';
  const named = depth > 0 ? exportsByValue.get(value) : undefined;
  if (named !== undefined) return { export: named };
  if (typeof value === 'function') {
    // Classes (the modelled errors) by name; arrow thunks by what they return.
    if (value.prototype !== undefined) return { class: value.name };
    return { thunk: picture((value as () => unknown)(), exportsByValue, depth + 1) };
  }
  if (Array.isArray(value)) return value.map((v) => picture(v, exportsByValue, depth + 1));
  if (value instanceof Map)
    return [...value].map(([k, v]) => [
      picture(k, exportsByValue, depth + 1),
      picture(v, exportsByValue, depth + 1),
    ]);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, picture(v, exportsByValue, depth + 1)]),
    );
  return value;
}

function pictureOf(mod: Record<string, unknown>): Record<string, unknown> {
  const names = new Map<unknown, string>();
  for (const [name, value] of Object.entries(mod)) if (typeof value === 'object') names.set(value, name);
  return Object.fromEntries(Object.entries(mod).map(([name, value]) => [name, picture(value, names)]));
}

describe("the SDK clients' schema modules with literal keys", () => {
  it.each(schemaFiles)('leave no computed key behind in $client ($file)', ({ file }) => {
    const source = readFileSync(file, 'utf8');
    // There were computed keys to rewrite (an SDK release without them needs no rewrite: say so).
    expect(source).toMatch(/\[_\w+\]:/);
    expect(literalSchemaKeys(source)).not.toMatch(/\[_\w+\]:/);
  });

  it.each(schemaFiles)('export the same schemas in $client', async ({ file }) => {
    const [original, rewritten] = await Promise.all([loadSchemas(file, false), loadSchemas(file, true)]);
    expect(Object.keys(rewritten).sort()).toEqual(Object.keys(original).sort());
    expect(pictureOf(rewritten)).toEqual(pictureOf(original));
  });

  it('writes a key that is not a known constant as it was', () => {
    const source = 'const _h = "http";\nexport var A$ = [9, { [_h]: 1, [_other]: 2, [x]: 3 }];\n';
    expect(literalSchemaKeys(source)).toBe(
      'const _h = "http";\nexport var A$ = [9, { "http": 1, [_other]: 2, [x]: 3 }];\n',
    );
  });
});

describe('a function that sends email', () => {
  let bundle: BundleResult;
  beforeAll(async () => {
    bundle = await bundleFunction('functions/handlers/register.ts', tempDir('milepost-register-'));
  }, 120_000);

  const bytesOf = (pattern: RegExp) =>
    Object.entries(Object.values(bundle.metafile.outputs)[0]!.inputs)
      .filter(([path]) => pattern.test(path))
      .reduce((sum, [, input]) => sum + input.bytesInOutput, 0);

  it("keeps the schemas of the SES operation it calls and none of the service's others", () => {
    const code = readFileSync(bundle.file, 'utf8');
    expect(code).toContain('/v2/email/outbound-emails');
    // Two of SES's other operations (a dashboard report, contact lists).
    expect(code).not.toContain('blacklist-report');
    expect(code).not.toContain('/v2/email/contact-lists');
    // All of them were about 47 KB; SendEmail's request and response are under 10.
    expect(bytesOf(/client-sesv2[\\/]dist-es[\\/]schemas[\\/]/)).toBeLessThan(10 * 1024);
  });
});
