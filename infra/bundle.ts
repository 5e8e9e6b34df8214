/**
 * How every Lambda function is bundled: esbuild (never Docker), ESM for Node 24, minified, the
 * pinned AWS SDK inside the bundle. `cdk synth` (infra/constructs/milepost-function.ts), the bench
 * and the bundle tests all call `bundleFunction`, so what is measured is what is deployed.
 *
 * Six substitutions keep dead weight out of the code, each measured (README, "Lambda bundles"):
 * - zod's classic entry re-exports every locale as a namespace (`z.locales`, `z.core.locales`);
 *   @hono/zod-openapi hands the whole `z` namespace to its extension, so esbuild keeps all of
 *   them (about 255 KB in the HTTP function). Zod registers `en` itself and milepost configures no
 *   other locale, so the locale index resolves to `en` alone: messages stay as they are.
 * - That extension needs only `z.ZodType` (`honoZodTypeOnly` below).
 * - The SDK clients import the default credential chain (SSO, INI, STS, web identity, container,
 *   IMDS: about 90 KB with the STS/SSO clients), even when a client is given credentials. In
 *   Lambda the credentials are the runtime's environment variables, so the chain resolves to
 *   functions/adapters/lambda-credentials.ts, which reads only those.
 * - zod's classic schemas import its JSON Schema generator and a processor per schema type (for
 *   `.toJSONSchema()`), which only the http function's OpenAPI document uses: in every other
 *   function they resolve to stand-ins that throw (`zodWithoutJsonSchema`, 13 KB of 329 in
 *   mail-feedback, 13-14 KB in the others).
 * - The SDK's HTTP protocol imports its event-stream codec for streaming operations milepost never
 *   calls (`sdkWithoutEventStreams`): 19-20 KB less minified in mail-feedback and register.
 * - `yaml` resolves to its ESM build (`yamlEsm`): the http function keeps the writer only, 48 KB
 *   of the 113 KB its CommonJS build left (parser, lexer, composer).
 *
 * The documents function (pdfkit) has its own, measured on its bundle (992 KB before, load x5.1):
 * - pdfkit imports fontkit (TrueType/OpenType embedding, with brotli for WOFF2: 754 KB with its
 *   dependencies), @noble/ciphers' AES (encryption, 6.5 KB) and png-js (PNG images, 4 KB) for
 *   features the renderer never uses: inside pdfkit they resolve to modules that throw a clear
 *   error if ever called (`PDFKIT_STAND_INS`).
 * - linebreak decodes its Unicode class table at import with base64-js and tiny-inflate, in
 *   JavaScript: inside linebreak and unicode-trie they resolve to Node's Buffer and zlib, same
 *   bytes (3 KB less code, cold load x2.2 -> x1.7: `NATIVE_DECODERS`).
 * - Its event schema is zod/mini (functions/core/documents/model.ts): 29 KB instead of 94 KB.
 * Now 174 KB, load x1.6-x1.7.
 *
 * No source map goes into the code (nor `--enable-source-maps` into the runtime): with `mapsDir`
 * the map is written there instead, for reading a stack trace on a developer's machine
 * (infra/stack-trace.ts).
 *
 * Run as a script by the CDK construct (synchronous local bundling runs it in a child process,
 * because esbuild plugins need the asynchronous API):
 * `node --import tsx infra/bundle.ts <entry> <outdir> [<maps dir> <map name>]`.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';

/** The repository root: handler entries and node_modules are found from here. */
export const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The module that stands in for the SDK's default credential chain inside a bundle. */
export const LAMBDA_CREDENTIALS = 'functions/adapters/lambda-credentials.ts';

/** zod's locale index (classic, mini and core import it) resolves to English only. */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) => {
      if (!/[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)) return undefined;
      return { path: resolve(args.resolveDir, '../locales/en.js'), namespace: 'zod-locales' };
    });
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

/**
 * @hono/zod-openapi imports zod's whole `z` namespace for one call, `extendZodWithOpenApi(z)`,
 * which reads only `z.ZodType` (to add `.openapi()` to its prototype), and re-exports `z`, which
 * milepost never imports from there (Biome refuses it). Held as a value, the namespace keeps every
 * zod schema type, used or not (about 80 KB in the HTTP function); inside that package `zod`
 * resolves to an object with `ZodType` alone.
 */
const honoZodTypeOnly: Plugin = {
  name: 'hono-zod-type-only',
  setup(b) {
    b.onResolve({ filter: /^zod$/ }, (args) => {
      if (!/[\\/]node_modules[\\/]@hono[\\/]zod-openapi[\\/]/.test(args.importer)) return undefined;
      return { path: 'zod', namespace: 'hono-zod' };
    });
    b.onLoad({ filter: /.*/, namespace: 'hono-zod' }, () => ({
      contents: "import { ZodType } from 'zod';\nexport const z = { ZodType };\n",
      resolveDir: PROJECT_ROOT,
      loader: 'js',
    }));
  },
};

/**
 * What pdfkit imports for features the PDF renderer (functions/adapters/pdf-renderer.ts) never
 * uses, each replaced inside pdfkit by a module whose exports throw a clear error if ever called.
 * The renderer draws text only, in PDF's standard fonts (their metrics come from the font files
 * next to the bundle, infra/constructs/pdf-fonts.ts), sets no password and draws no image.
 * The sizes are those the package left in the documents bundle (esbuild's metafile). A renderer
 * change that needs one of them fails in the bundle with that message, not unbundled: the bundle
 * test renders every document kind with the bundled function for that reason.
 */
export const PDFKIT_STAND_INS: Record<string, { exports: string[]; reason: string }> = {
  // `create` parses a TrueType/OpenType/WOFF font to embed; pdfkit calls it only for a font given
  // as a file or bytes, never for a standard font name. With it go brotli (WOFF2, 475 KB),
  // unicode-properties, restructure, dfa, clone and the rest of fontkit's own dependencies (754 KB).
  fontkit: {
    exports: ['create'],
    reason: "embedded fonts are not part of this bundle: the renderer uses PDF's standard fonts",
  },
  // AES for PDF encryption: pdfkit reaches it only when `userPassword` or `ownerPassword` is set
  // (PDFSecurity.create returns null otherwise) with `pdfVersion` 1.6 or later (before, it
  // encrypts with RC4, its own code, which stays). 6.5 KB.
  '@noble/ciphers/aes': {
    exports: ['cbc', 'ecb'],
    reason: 'AES encryption (PDF 1.6 and later) is not part of this bundle: the renderer sets no password',
  },
  // The PNG decoder of `doc.image()` (JPEG needs no library). 4 KB.
  'png-js': {
    exports: ['default'],
    reason: 'PNG images are not part of this bundle: the renderer draws no images',
  },
};

/** The stand-in module of one pdfkit dependency: every export throws `reason`. */
function standInSource(name: string): string {
  const { exports, reason } = PDFKIT_STAND_INS[name]!;
  const fail = `function unavailable() { throw new Error(${JSON.stringify(`${name}: ${reason}`)}); }`;
  // A class, so that `new PNG(data)` fails with the same message as a call.
  const lines = exports.map((e) =>
    e === 'default'
      ? 'export default class { constructor() { unavailable(); } }'
      : `export const ${e} = () => unavailable();`,
  );
  return [fail, ...lines].join('\n');
}

/** Inside pdfkit only, the packages of `PDFKIT_STAND_INS` resolve to their stand-ins. */
const pdfkitStandIns: Plugin = {
  name: 'pdfkit-stand-ins',
  setup(b) {
    const names = Object.keys(PDFKIT_STAND_INS).map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
    b.onResolve({ filter: new RegExp(`^(${names.join('|')})$`) }, (args) => {
      if (!/[\\/]node_modules[\\/]pdfkit[\\/]/.test(args.importer)) return undefined;
      return { path: args.path, namespace: 'pdfkit-stand-in' };
    });
    b.onLoad({ filter: /.*/, namespace: 'pdfkit-stand-in' }, (args) => ({
      contents: standInSource(args.path),
      loader: 'js',
    }));
  },
};

// --- zod without its JSON Schema generator -------------------------------------------------

/** The handlers that generate JSON Schema from zod (the http function's OpenAPI document). */
export const JSON_SCHEMA_ENTRIES: readonly string[] = ['functions/handlers/http.ts'];

/** What a bundle without the generator answers to `.toJSONSchema()` (never reached by milepost). */
export const NO_JSON_SCHEMA_MESSAGE =
  "zod's JSON Schema generator is not in this function's bundle (infra/bundle.ts, JSON_SCHEMA_ENTRIES)";

/**
 * zod's classic schemas import the JSON Schema generator (`to-json-schema.js`) and a processor
 * per schema type (`json-schema-processors.js`) for `.toJSONSchema()` and Standard Schema's
 * `jsonSchema`: about 18 KB that only the OpenAPI document uses. Outside JSON_SCHEMA_ENTRIES both
 * resolve to stand-ins whose functions throw NO_JSON_SCHEMA_MESSAGE, except `aggregateChecks`
 * (the real one: zod's `.minLength`, `.isInt`... getters read it). Parsing never calls them.
 */
const zodWithoutJsonSchema: Plugin = {
  name: 'zod-without-json-schema',
  setup(b) {
    b.onResolve({ filter: /[\\/](?:json-schema-processors|to-json-schema)\.js$/ }, (args) => {
      if (!/[\\/]node_modules[\\/]zod[\\/]v4[\\/]classic[\\/]schemas\.js$/.test(args.importer))
        return undefined;
      return { path: resolve(args.resolveDir, args.path), namespace: 'zod-no-json-schema' };
    });
    b.onLoad({ filter: /.*/, namespace: 'zod-no-json-schema' }, (args) => {
      const names = [...readFileSync(args.path, 'utf8').matchAll(/^export (?:const|function) (\w+)/gm)].map(
        (m) => m[1] as string,
      );
      const absent = `() => { throw new Error(${JSON.stringify(NO_JSON_SCHEMA_MESSAGE)}); }`;
      const lines = names.map((name) =>
        name === 'aggregateChecks'
          ? `export { aggregateChecks } from ${JSON.stringify(args.path)};`
          : // The method factories run when a schema is built; the methods they return throw.
            name.startsWith('create')
            ? `export const ${name} = () => ${absent};`
            : `export const ${name} = ${absent};`,
      );
      return { contents: lines.join('\n'), resolveDir: dirname(args.path), loader: 'js' };
    });
  },
};

/** What a bundle answers to an SDK operation with an event stream (milepost calls none). */
export const NO_EVENT_STREAMS_MESSAGE =
  "SDK event streams are not in this function's bundle (infra/bundle.ts, sdkWithoutEventStreams)";

/**
 * The SDK's HTTP protocol loads its event-stream codec (`import('@smithy/core/event-streams')`)
 * for operations that stream events (S3 SelectObjectContent, Lambda InvokeWithResponseStream);
 * one bundle inlines it, 14 KB, in every function. Milepost calls none of those operations: the
 * import resolves to a stand-in whose members throw NO_EVENT_STREAMS_MESSAGE.
 */
const sdkWithoutEventStreams: Plugin = {
  name: 'sdk-without-event-streams',
  setup(b) {
    b.onResolve({ filter: /^@smithy\/core\/event-streams$/ }, (args) => {
      if (!/[\\/]@smithy[\\/]core[\\/].*[\\/]HttpProtocol\.js$/.test(args.importer)) return undefined;
      return { path: 'event-streams', namespace: 'sdk-no-event-streams' };
    });
    b.onLoad({ filter: /.*/, namespace: 'sdk-no-event-streams' }, () => {
      const absent = `() => { throw new Error(${JSON.stringify(NO_EVENT_STREAMS_MESSAGE)}); }`;
      return {
        contents: `export const EventStreamSerde = ${absent};\nexport const eventStreamSerdeProvider = ${absent};\n`,
        loader: 'js',
      };
    });
  },
};

/**
 * linebreak (pdfkit's line breaking, which the renderer uses for every line) decodes its Unicode
 * class table when it is imported: base64 (base64-js) then twice raw DEFLATE (tiny-inflate, via
 * unicode-trie), in JavaScript, the largest CPU item of the documents function's cold load.
 * Inside those two packages, the decoding is Node's own (Buffer, zlib), with the same results.
 */
export const NATIVE_DECODERS: Record<string, { importer: RegExp; contents: string }> = {
  // CommonJS like the packages they stand for (unicode-trie `require`s tiny-inflate).
  'tiny-inflate': {
    importer: /[\\/]node_modules[\\/]unicode-trie[\\/]/,
    // tiny-inflate fills `dest` and returns it, or a copy of its filled part when shorter.
    contents: [
      "const { inflateRawSync } = require('node:zlib');",
      'module.exports = function inflate(source, dest) {',
      '  const out = inflateRawSync(source);',
      '  dest.set(out.subarray(0, dest.length));',
      '  return out.length < dest.length ? dest.slice(0, out.length) : dest;',
      '};',
    ].join('\n'),
  },
  // linebreak calls only `toByteArray`, on its one (valid) base64 literal.
  'base64-js': {
    importer: /[\\/]node_modules[\\/]linebreak[\\/]/,
    contents: "exports.toByteArray = (b64) => new Uint8Array(Buffer.from(b64, 'base64'));",
  },
};

/** Inside their one importer each, the packages of `NATIVE_DECODERS` resolve to Node's decoders. */
const nativeDecoders: Plugin = {
  name: 'native-decoders',
  setup(b) {
    b.onResolve({ filter: /^(tiny-inflate|base64-js)$/ }, (args) => {
      const decoder = NATIVE_DECODERS[args.path];
      if (!decoder?.importer.test(args.importer)) return undefined;
      return { path: args.path, namespace: 'native-decoder' };
    });
    b.onLoad({ filter: /.*/, namespace: 'native-decoder' }, (args) => ({
      contents: NATIVE_DECODERS[args.path]!.contents,
      loader: 'js',
    }));
  },
};

/**
 * The `yaml` package's Node entry is CommonJS, which esbuild cannot tree-shake: the http function,
 * which only writes YAML (`stringify`, an approved change request's baseline patch), carried its
 * parser, lexer and composer too. Its ESM build (the same code, the package's `default` export
 * condition) tree-shakes to what is called.
 */
const yamlEsm: Plugin = {
  name: 'yaml-esm',
  setup(b) {
    b.onResolve({ filter: /^yaml$/ }, () => ({
      path: join(PROJECT_ROOT, 'node_modules/yaml/browser/dist/index.js'),
    }));
  },
};

/**
 * Each SDK client's operation schemas (`dist-es/schemas/schemas_0.js`) name their traits with
 * computed keys, `{ [_h]: ["POST", "/v2/email/outbound-emails", 200] }`, where `_h` is a string
 * constant of the same module. esbuild keeps any statement whose object literal has a computed
 * key (converting the key could run code), so every schema of the service stayed in the bundle,
 * with all its names: SES's 200 operations, 47 KB, for the one milepost sends. Inside those
 * modules each such key is written as the literal it names (`{ "http": [...] }`), the same
 * object, and the schemas no operation reaches are dropped.
 */
export const sdkSchemaLiteralKeys: Plugin = {
  name: 'sdk-schema-literal-keys',
  setup(b) {
    b.onLoad(
      { filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/][^\\/]+\.js$/ },
      (args) => ({
        contents: literalSchemaKeys(readFileSync(args.path, 'utf8')),
        loader: 'js',
      }),
    );
  },
};

/** `source` with each computed key `[_x]:` whose `_x` is a module-level string constant as that string. */
export function literalSchemaKeys(source: string): string {
  const constants = new Map<string, string>();
  for (const m of source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)) constants.set(m[1]!, m[2]!);
  return source.replace(/\[(_\w+)\]:/g, (whole, name: string) => {
    const literal = constants.get(name);
    return literal === undefined ? whole : `${literal}:`;
  });
}

/** The esbuild options of every function (the plugins are added by `bundleFunction`). */
export const BUNDLE_OPTIONS = {
  bundle: true,
  format: 'esm',
  target: 'node24',
  platform: 'node',
  minify: true,
  // ESM entry points of the dependencies first: they tree-shake, CommonJS does not.
  mainFields: ['module', 'main'],
  // Some CommonJS dependencies call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __milepostCreateRequire } from 'node:module'; const require = __milepostCreateRequire(import.meta.url);",
  },
  alias: { '@aws-sdk/credential-provider-node': `./${LAMBDA_CREDENTIALS}` },
  legalComments: 'none',
  logLevel: 'error',
} as const satisfies BuildOptions;

/** What `bundleFunction` wrote. */
export interface BundleResult {
  /** The code file (`index.mjs`) and its size in bytes. */
  file: string;
  codeBytes: number;
  /** The source map, written outside the code's folder (when `mapsDir` was given). */
  mapFile?: string;
  /** esbuild's metafile: every input with the bytes it left in the output. */
  metafile: Metafile;
}

/**
 * Bundles the handler `entry` (relative to the repository root or absolute) into
 * `<outdir>/index.mjs`, nothing else in `outdir`. With `maps`, the source map is written to
 * `<maps.dir>/<maps.name>.<first 12 hex of the code's SHA-256>.mjs.map`.
 */
export async function bundleFunction(
  entry: string,
  outdir: string,
  maps?: { dir: string; name: string },
): Promise<BundleResult> {
  const file = join(outdir, 'index.mjs');
  const entryPath = isAbsolute(entry) ? entry : join(PROJECT_ROOT, entry);
  const result = await build({
    ...BUNDLE_OPTIONS,
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [entryPath],
    outfile: file,
    // The map is linked by name only when it is kept, and never next to the code.
    sourcemap: maps ? 'external' : false,
    sourcesContent: false,
    metafile: true,
    plugins: [
      zodEnglishOnly,
      honoZodTypeOnly,
      pdfkitStandIns,
      nativeDecoders,
      sdkWithoutEventStreams,
      yamlEsm,
      sdkSchemaLiteralKeys,
      ...(JSON_SCHEMA_ENTRIES.includes(relative(PROJECT_ROOT, entryPath)) ? [] : [zodWithoutJsonSchema]),
    ],
  });
  let mapFile: string | undefined;
  if (maps) {
    const hash = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12);
    mkdirSync(maps.dir, { recursive: true });
    mapFile = join(maps.dir, `${maps.name}.${hash}.mjs.map`);
    // Sources relative to the repository root, wherever the map is kept.
    const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] };
    map.sources = map.sources.map((source) => relative(PROJECT_ROOT, resolve(outdir, source)));
    writeFileSync(mapFile, JSON.stringify(map));
    rmSync(`${file}.map`);
  }
  return { file, codeBytes: statSync(file).size, ...(mapFile ? { mapFile } : {}), metafile: result.metafile };
}

// Script entry (the CDK construct's local bundling).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [entry, outdir, mapsDir, mapName] = process.argv.slice(2);
  if (!entry || !outdir) {
    process.stderr.write('usage: bundle.ts <entry> <outdir> [<maps dir> <map name>]\n');
    process.exit(2);
  }
  bundleFunction(entry, outdir, mapsDir && mapName ? { dir: mapsDir, name: mapName } : undefined).catch(
    (err: unknown) => {
      process.stderr.write(`bundling ${entry} failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
