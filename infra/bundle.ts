/**
 * How every Lambda function is bundled: esbuild (never Docker), ESM for Node 24, minified, the
 * pinned AWS SDK inside the bundle. `cdk synth` (infra/constructs/milepost-function.ts), the bench
 * and the bundle tests all call `bundleFunction`, so what is measured is what is deployed.
 *
 * These substitutions keep dead weight out of the code, each measured (README, "Lambda bundles"):
 * - zod's classic entry re-exports every locale as a namespace (`z.locales`, `z.core.locales`);
 *   @hono/zod-openapi hands the whole `z` namespace to its extension, so esbuild keeps all of
 *   them (about 255 KB in the HTTP function). Zod registers `en` itself and milepost configures no
 *   other locale, so the locale index resolves to `en` alone: messages stay as they are.
 * - That extension needs only `z.ZodType` (`honoZodTypeOnly` below).
 * - The SDK clients import the default credential chain (SSO, INI, STS, web identity, container,
 *   IMDS: about 90 KB with the STS/SSO clients), even when a client is given credentials. In
 *   Lambda the credentials are the runtime's environment variables, so the chain resolves to
 *   functions/adapters/lambda-credentials.ts, which reads only those.
 * - The SDK's HTTP protocol imports its event-stream codec for streaming operations milepost never
 *   calls (`sdkWithoutEventStreams`): 19-20 KB less minified in mail-feedback and register.
 * - `yaml` resolves to its ESM build (`yamlEsm`): the http function keeps the writer only, 48 KB
 *   of the 113 KB its CommonJS build left (parser, lexer, composer).
 * - What the SDK clients carry for configurations milepost never has in Lambda resolves, inside
 *   the SDK only, to stand-ins that keep the module's exports and throw a clear message if ever
 *   reached (`SDK_STAND_INS`, each entry with its reason): DynamoDB endpoint discovery (no
 *   command of this SDK version uses it; with its LRU cache, 7.3 KB), JavaScript SHA-256 (Node's
 *   crypto has it, 3.2 KB), the adaptive retry mode (3.3 KB), the region from the instance
 *   metadata service (1.2 KB), SigV4a for multi-region endpoints (2.7 KB), event-stream message
 *   signing (2.3 KB), streaming response bodies (2.8 KB) and S3's endpoint parameters (0.8 KB).
 *   Each client's package.json is
 *   reduced to the version its user agent reads (`sdkClientVersionOnly`, 1.8-2.3 KB a client).
 *   Together 20 KB less in mail-feedback (DynamoDB alone), 28-29 KB in the functions with
 *   DynamoDB, Step Functions and SES.
 * - The Secrets Manager read signs with Node's SHA-256, not @aws-crypto's JavaScript one
 *   (`nodeSha256ForSecrets`, 5.6 KB where notifications are sent).
 * - Each SDK client's schema module names its traits with computed keys, which esbuild cannot
 *   drop, so every operation of the service stayed: the keys are written as the string constants
 *   they name (`sdkSchemaLiteralKeys`), and only the operations a function calls remain (SES: 47 KB
 *   less in each function that sends email).
 * - Every function but http builds its schemas with zod/mini (no classic zod, no JSON Schema
 *   generator: about 50 KB less each); http keeps classic for its OpenAPI document.
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

// --- What the SDK clients bring that milepost never runs in Lambda ----------------------------

/** The message of an SDK stand-in: what is missing from the bundle, and why milepost never needs it. */
function sdkAbsentMessage(name: string, reason: string): string {
  return `${name} is not in this function's bundle (infra/bundle.ts, SDK_STAND_INS): ${reason}`;
}

/**
 * SDK modules that milepost's clients (functions/composition/*.ts: a region always given, no
 * endpoint discovery, retry mode and SigV4a left at their defaults) never run in Lambda, each
 * replaced by a stand-in inside the SDK packages that import it (`importer`). A stand-in keeps the
 * module's exports; what the code could still reach throws `sdkAbsentMessage`, so a change of
 * configuration that needs the real module fails at its first request with that message instead
 * of acting otherwise. The sizes are what each left in the bundles (esbuild's metafile).
 */
export const SDK_STAND_INS: Record<
  string,
  { module: RegExp; importer: RegExp; message: string; contents: (message: string) => string }
> = {
  // DynamoDB's endpoint discovery (DescribeEndpoints, then a per-key LRU cache of the endpoints it
  // returns): the client resolves its configuration and builds a 1,000-entry cache (mnemonist's
  // LRU cache, obliterator, @aws-sdk/endpoint-cache), but no DynamoDB command of this SDK version
  // adds the discovery middleware (their middleware list is empty), so the cache is never read.
  // The configuration is resolved as before; the cache's methods throw, and so does adding the
  // middleware: a later SDK whose commands add it fails at the first DynamoDB call (the bundle
  // tests make several). 7.3 KB.
  'endpoint-discovery': {
    module: /^@aws-sdk\/middleware-endpoint-discovery$/,
    importer: /[\\/]@aws-sdk[\\/]client-dynamodb[\\/]/,
    message: sdkAbsentMessage(
      'DynamoDB endpoint discovery',
      'no DynamoDB command of this SDK version uses it',
    ),
    contents: (message) =>
      [
        "export { NODE_ENDPOINT_DISCOVERY_CONFIG_OPTIONS } from '@aws-sdk/middleware-endpoint-discovery/dist-es/configurations.js';",
        `const absent = () => { throw new Error(${JSON.stringify(message)}); };`,
        'const endpointCache = { getEndpoint: absent, get: absent, set: absent, delete: absent, has: absent, clear: absent };',
        // The same configuration as the real resolver, with the cache that is never read.
        'export const resolveEndpointDiscoveryConfig = (input, { endpointDiscoveryCommandCtor }) => {',
        '  const { endpointDiscoveryEnabled, endpointDiscoveryEnabledProvider } = input;',
        '  return Object.assign(input, {',
        '    endpointDiscoveryCommandCtor,',
        '    endpointCache,',
        '    endpointDiscoveryEnabled: endpointDiscoveryEnabled !== undefined ? () => Promise.resolve(endpointDiscoveryEnabled) : endpointDiscoveryEnabledProvider,',
        '    isClientEndpointDiscoveryEnabled: endpointDiscoveryEnabled !== undefined,',
        '  });',
        '};',
        'export const endpointDiscoveryMiddlewareOptions = { name: "endpointDiscoveryMiddleware", step: "build", tags: ["ENDPOINT_DISCOVERY"], override: true };',
        'export const getEndpointDiscoveryPlugin = absent;',
        'export const getEndpointDiscoveryRequiredPlugin = absent;',
        'export const getEndpointDiscoveryOptionalPlugin = absent;',
      ].join('\n'),
  },
  // SHA-256 in JavaScript: `Sha256Node` (every client's `sha256`, SigV4's hashes) falls back to it
  // only when node:crypto cannot create a SHA-256 hash, which Node always can. 3.2 KB.
  'sha256-js': {
    module: /^\.\.?\/(?:sha256\/)?Sha256Js$/,
    importer: /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]checksum[\\/]/,
    message: sdkAbsentMessage('SHA-256 in JavaScript', "Node's crypto computes SHA-256 (Sha256Node)"),
    contents: (message) =>
      `export class Sha256Js { constructor() { throw new Error(${JSON.stringify(message)}); } }`,
  },
  // The `adaptive` retry mode's strategy and its client-side rate limiter: the clients build them
  // only when the mode is `adaptive` (AWS_RETRY_MODE or `retry_mode` in a config file, milepost
  // sets neither: the mode is `standard`, functions/composition/clients.ts sets only
  // `maxAttempts`). One stand-in module for both. 3.3 KB.
  'adaptive-retry': {
    module: /^(?:\.\.?\/)+(?:util-retry\/)?(?:DefaultRateLimiter|AdaptiveRetryStrategy)$/,
    importer: /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]retry[\\/]/,
    message: sdkAbsentMessage(
      'The adaptive retry mode',
      'milepost retries in the standard mode (unset AWS_RETRY_MODE)',
    ),
    contents: (message) =>
      [
        `const absent = () => { throw new Error(${JSON.stringify(message)}); };`,
        'export class DefaultRateLimiter { constructor() { absent(); } }',
        'export class AdaptiveRetryStrategy { constructor() { absent(); } }',
      ].join('\n'),
  },
  // The region from the EC2 instance metadata service, asked only when a client has no region
  // (milepost always gives one: AWS_REGION, functions/composition/clients.ts) or, in the `auto`
  // defaults mode, outside Lambda (in Lambda the SDK reads AWS_REGION and AWS_EXECUTION_ENV).
  // Lambda has no instance metadata service. 1.2 KB, and a dynamic import of node:http.
  'imds-region': {
    module: /(?:^|\/)getInstanceMetadataRegion$/,
    importer: /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]config[\\/]/,
    message: sdkAbsentMessage(
      'The region from the instance metadata service',
      'give the client a region (AWS_REGION)',
    ),
    contents: (message) =>
      `export const getInstanceMetadataRegion = async () => { throw new Error(${JSON.stringify(message)}); };`,
  },
  // The header encoding of SigV4's event-stream message signing (`signMessage`, the only user of
  // the signer's `headerFormatter`): only the SDK's event-stream handlers call it, and milepost
  // streams no events (`sdkWithoutEventStreams`, neither handler is installed). Every signer
  // still builds one, so the stand-in's constructor is harmless and its `format` throws. 2.3 KB.
  'event-stream-signing': {
    module: /^\.\/HeaderFormatter$/,
    importer: /[\\/]@smithy[\\/]signature-v4[\\/]dist-es[\\/]SignatureV4\.js$/,
    message: sdkAbsentMessage(
      'Event-stream message signing',
      'milepost calls no operation that streams events',
    ),
    contents: (message) =>
      `export class HeaderFormatter { format() { throw new Error(${JSON.stringify(message)}); } }`,
  },
  // The methods a streaming blob in a response gets (`transformToString`...: sdkStreamMixin, with
  // its web-stream variant): the REST protocols apply it to an output member with the `streaming`
  // trait only, and no operation of the DynamoDB, Step Functions or SESv2 clients has one (their
  // schemas name no such trait; the bundle test checks it). 2.3 KB where SES is.
  'streaming-payloads': {
    module: /^\.\/util-stream\/sdk-stream-mixin$/,
    importer: /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]serde[\\/]index\.js$/,
    message: sdkAbsentMessage(
      'Streaming response bodies',
      'no operation of the bundled clients streams its response',
    ),
    contents: (message) =>
      `export const sdkStreamMixin = () => { throw new Error(${JSON.stringify(message)}); };`,
  },
  // S3's rewriting of endpoint parameters (bucket names, path style), applied only when the
  // client's service is S3: milepost calls S3 without an SDK client (functions/adapters/
  // aws-request.ts), so the endpoint resolution of its clients never reaches it. 0.8 KB.
  's3-endpoint-params': {
    module: /^\.\.\/service-customizations$/,
    importer: /[\\/]middleware-endpoint[\\/]adaptors[\\/]getEndpointFromInstructions\.js$/,
    message: sdkAbsentMessage('S3 endpoint parameters', 'milepost has no S3 SDK client'),
    contents: (message) =>
      `export const resolveParamsForS3 = async () => { throw new Error(${JSON.stringify(message)}); };`,
  },
  // SESv2 signs with `SignatureV4MultiRegion`: SigV4, or SigV4a for a multi-region endpoint
  // (SendEmail's `EndpointId`, which milepost never sets; signing region `*`). SigV4a needs
  // @aws-sdk/signature-v4-crt or @aws-sdk/signature-v4a, neither installed nor bundled, so it
  // could only fail. The stand-in signs with the same SigV4 signer (the package's
  // SignatureV4SignWithCredentials) and answers a `*` region with the message. 2.7 KB.
  sigv4a: {
    module: /^@aws-sdk\/signature-v4-multi-region$/,
    importer: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]/,
    message: sdkAbsentMessage(
      'SigV4a (multi-region endpoints)',
      'milepost sends to regional endpoints (no EndpointId)',
    ),
    contents: (message) =>
      [
        "import { SignatureV4SignWithCredentials } from '@aws-sdk/signature-v4-multi-region/dist-es/SignatureV4SignWithCredentials.js';",
        `const sigv4a = (options) => { if (options?.signingRegion === '*') throw new Error(${JSON.stringify(message)}); };`,
        'export class SignatureV4MultiRegion {',
        "  static sigv4aDependency() { return 'none'; }",
        '  constructor(options) { this.sigv4Signer = new SignatureV4SignWithCredentials(options); this.signerOptions = options; }',
        '  async sign(request, options = {}) { sigv4a(options); return this.sigv4Signer.sign(request, options); }',
        '  async signWithCredentials(request, credentials, options = {}) { sigv4a(options); return this.sigv4Signer.signWithCredentials(request, credentials, options); }',
        '  async presign(request, options = {}) { sigv4a(options); return this.sigv4Signer.presign(request, options); }',
        '  async presignWithCredentials(request, credentials, options = {}) { sigv4a(options); return this.sigv4Signer.presignWithCredentials(request, credentials, options); }',
        '}',
        'export const signatureV4CrtContainer = { CrtSignerV4: null };',
      ].join('\n'),
  },
};

/** Inside their importers only, the modules of `SDK_STAND_INS` resolve to their stand-ins. */
const sdkStandIns: Plugin = {
  name: 'sdk-stand-ins',
  setup(b) {
    const filter = new RegExp(
      Object.values(SDK_STAND_INS)
        .map((s) => `(?:${s.module.source})`)
        .join('|'),
    );
    b.onResolve({ filter }, (args) => {
      const name = Object.keys(SDK_STAND_INS).find((n) => {
        const s = SDK_STAND_INS[n]!;
        return s.module.test(args.path) && s.importer.test(args.importer);
      });
      if (!name) return undefined;
      return { path: name, namespace: 'sdk-stand-in', pluginData: { resolveDir: args.resolveDir } };
    });
    b.onLoad({ filter: /.*/, namespace: 'sdk-stand-in' }, (args) => {
      const s = SDK_STAND_INS[args.path]!;
      return {
        contents: s.contents(s.message),
        resolveDir: (args.pluginData as { resolveDir: string }).resolveDir,
        loader: 'js',
      };
    });
  },
};

/**
 * Each SDK client reads its own package.json for one field, the version in the user agent it
 * sends (`packageInfo.version`, runtimeConfig.js), and the bundle carried the whole file: its
 * scripts, dependencies and descriptions, 1.8-2.3 KB a client. Inside a bundle the file is the
 * version alone, so the user agent is the same.
 */
const sdkClientVersionOnly: Plugin = {
  name: 'sdk-client-version-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]package\.json$/ }, (args) => ({
      contents: JSON.stringify({
        version: (JSON.parse(readFileSync(args.path, 'utf8')) as { version: string }).version,
      }),
      loader: 'json',
    }));
  },
};

/**
 * functions/adapters/secret-value.ts signs its one Secrets Manager request with the SHA-256 of
 * @aws-crypto/sha256-js, written in JavaScript (the CLI, which is not bundled, signs with it too).
 * Inside a bundle that import is the SDK's `Sha256` instead (node:crypto, the one every client
 * signs with, already in the bundle): the same digests and HMACs, 5.6 KB less in each function
 * that sends notifications.
 */
const nodeSha256ForSecrets: Plugin = {
  name: 'node-sha256-for-secrets',
  setup(b) {
    b.onResolve({ filter: /^@aws-crypto\/sha256-js$/ }, (args) => {
      if (!/[\\/]functions[\\/]adapters[\\/]secret-value\.ts$/.test(args.importer)) return undefined;
      return { path: 'sha256', namespace: 'node-sha256' };
    });
    b.onLoad({ filter: /.*/, namespace: 'node-sha256' }, () => ({
      contents: "export { Sha256 } from '@smithy/core/checksum';\n",
      resolveDir: PROJECT_ROOT,
      loader: 'js',
    }));
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
      sdkStandIns,
      sdkClientVersionOnly,
      nodeSha256ForSecrets,
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
