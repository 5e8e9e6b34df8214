/**
 * What goes into each function's code, from esbuild's metafile of the bundle `cdk synth` builds
 * (infra/bundle.ts): every AWS SDK client or REST adapter (S3, Lambda) in a bundle is for a service
 * its role may call (a client without the permission is dead weight, or a call that would fail in
 * AWS), and every service its role may call has its client or adapter; zod brings English only, and its classic API to the http function only; the SDK's default credential chain (SSO, INI, STS,
 * web identity) stays out; nothing but `index.mjs` is written where the code zip is made, and the
 * source map goes elsewhere. The stand-in credential chain is run in a bundle against DynamoDB
 * Local. The documents function leaves out the parts of pdfkit the renderer cannot use and still
 * renders every document kind, byte for byte as the renderer does unbundled.
 * source map goes elsewhere; zod's JSON Schema generator is only where JSON Schema is written, and
 * the functions without it still validate, in English; the SDK's event-stream codec is left out
 * where no client streams events (the bundled function's DynamoDB calls below work without it). The stand-in credential chain is run in a
 * bundle against DynamoDB Local. What the SDK carries for configurations milepost never has
 * (SDK_STAND_INS) is left out where its client is, and the bundled SES, Step Functions and
 * DynamoDB clients send the same signed requests and read the same answers and modelled errors
 * as unbundled (test/support/sdk-probe.ts against a local endpoint that checks signatures).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { PdfKitRenderer } from '../../functions/adapters/pdf-renderer.js';
import { baselineYaml, changePatchYaml } from '../../functions/core/change-requests/baseline-yaml.js';
import { charterDocument } from '../../functions/core/documents/charter.js';
import { closeoutDocument } from '../../functions/core/documents/closeout.js';
import type { DocumentDraft, DocumentModel } from '../../functions/core/documents/model.js';
import { planDocument } from '../../functions/core/documents/plan.js';
import { statusDocument } from '../../functions/core/documents/status.js';
import { statusReportContent } from '../../functions/core/notifications/status-report.js';
import { STANDARD_STAGE_TYPES } from '../../functions/core/stages/index.js';
import {
  type BundleResult,
  bundleFunction,
  NATIVE_DECODERS,
  PDFKIT_STAND_INS,
  SDK_STAND_INS,
} from '../../infra/bundle.js';
import { pdfFontHooks } from '../../infra/constructs/pdf-fonts.js';
import { mapStackTrace } from '../../infra/stack-trace.js';
import { type FakeAws, type ReceivedRequest, type Reply, startFakeAws } from '../support/aws-server.js';
import { runBundled } from '../support/bundled.js';
import {
  makeGate,
  makeMember,
  makeProject,
  makeResource,
  makeRisk,
  makeStages,
  makeStakeholder,
  makeTask,
  makeTestStore,
} from '../support/dynamo.js';
import * as sdkProbe from '../support/sdk-probe.js';
import { actionsOf, type Built, buildExampleApp } from './support.js';

/** SDK client package -> the IAM service prefix of its actions. */
const CLIENT_SERVICES: Record<string, string> = {
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/client-sfn': 'states',
  '@aws-sdk/client-sesv2': 'ses',
};

/**
 * The services called with signed REST requests (functions/adapters/aws-request.ts) instead of
 * an SDK client: the adapter module that calls each -> its IAM service prefix.
 */
const REST_ADAPTERS: Record<string, string> = {
  'functions/adapters/documents.ts': 's3',
  'functions/adapters/lambda-renderer.ts': 'lambda',
};

/** The IAM services a bundle can call: its SDK clients and its REST adapters. */
function servicesCalledBy(name: string, bundle: BundleResult): string[] {
  const clients = [...packagesIn(bundle)].filter((p) => p.startsWith('@aws-sdk/client-'));
  for (const client of clients)
    expect(CLIENT_SERVICES, `${name}: map ${client} to its IAM service in this test`).toHaveProperty(client);
  const rest = Object.entries(REST_ADAPTERS)
    .filter(
      ([module]) => inputsMatching(bundle, new RegExp(`(^|/)${module.replace(/[.]/g, '\\.')}$`)).length > 0,
    )
    .map(([, service]) => service);
  return [...clients.map((c) => CLIENT_SERVICES[c]!), ...rest].sort();
}

const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

let built: Built;
const bundles = new Map<string, BundleResult & { outdir: string; mapsDir: string }>();

beforeAll(async () => {
  built = await buildExampleApp();
  for (const [name, fn] of Object.entries(built.platform.functions)) {
    const outdir = tempDir(`milepost-code-${name}-`);
    const mapsDir = tempDir('milepost-maps-');
    bundles.set(name, {
      ...(await bundleFunction(fn.entry, outdir, { dir: mapsDir, name })),
      outdir,
      mapsDir,
    });
  }
}, 240_000);

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The node_modules packages whose code is in a bundle (inputs that left bytes in the output). */
function packagesIn(bundle: BundleResult): Set<string> {
  const out = new Set<string>();
  for (const output of Object.values(bundle.metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
      if (pkg && input.bytesInOutput > 0) out.add(pkg);
    }
  }
  return out;
}

/** The inputs of a bundle whose path matches `pattern`. */
function inputsMatching(bundle: BundleResult, pattern: RegExp): string[] {
  return Object.values(bundle.metafile.outputs).flatMap((o) =>
    Object.entries(o.inputs)
      .filter(([path, input]) => pattern.test(path) && input.bytesInOutput > 0)
      .map(([path]) => path),
  );
}

/** The IAM service prefixes of the actions one platform function's role is allowed. */
function servicesOf(name: string): Set<string> {
  const fn = built.platform.functions[name as keyof typeof built.platform.functions];
  const roleId = built.platform.getLogicalId(fn.role.node.defaultChild as never);
  const statements = Object.values(built.platformTemplate.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Parameters<typeof actionsOf>[0][]);
  return new Set(
    statements.filter((s) => s.Effect === 'Allow').flatMap((s) => actionsOf(s).map((a) => a.split(':')[0]!)),
  );
}

describe('the SDK clients of each function', () => {
  it('bundles every platform function', () => {
    expect([...bundles.keys()]).toEqual(
      expect.arrayContaining(['http', 'lifecycle', 'mailFeedback', 'register', 'schedule']),
    );
  });

  it('are exactly the clients of the services its role may call', () => {
    for (const [name, bundle] of bundles) {
      const called = servicesCalledBy(name, bundle);
      const known = [...Object.values(CLIENT_SERVICES), ...Object.values(REST_ADAPTERS)];
      const granted = [...servicesOf(name)].filter((s) => known.includes(s)).sort();
      expect(
        called,
        `${name}: SDK clients and REST adapters in the bundle vs services its role may call`,
      ).toEqual(granted);
    }
  });

  it('calls S3 and Lambda without their SDK clients (signed REST requests)', () => {
    for (const [name, bundle] of bundles) {
      const packages = [...packagesIn(bundle)];
      expect(packages, name).not.toContain('@aws-sdk/client-s3');
      expect(packages, name).not.toContain('@aws-sdk/client-lambda');
      const calls = servicesCalledBy(name, bundle).filter((s) => s === 's3' || s === 'lambda');
      // The signed-request adapter is there exactly when one of those services is called.
      expect(inputsMatching(bundle, /functions\/adapters\/aws-request\.ts$/), name).toHaveLength(
        calls.length > 0 ? 1 : 0,
      );
    }
    expect(servicesCalledBy('http', bundles.get('http')!)).toEqual([
      'dynamodb',
      'lambda',
      's3',
      'ses',
      'states',
    ]);
  });

  it('leaves the unused clients out where a function uses fewer ports', () => {
    // The two functions with fewer ports, named, so a wiring regression shows in this test too.
    expect(
      [...packagesIn(bundles.get('mailFeedback')!)].filter((p) => p.startsWith('@aws-sdk/client-')),
    ).toEqual(['@aws-sdk/client-dynamodb']);
    expect(
      [...packagesIn(bundles.get('register')!)].filter((p) => p.startsWith('@aws-sdk/client-')).sort(),
    ).toEqual(['@aws-sdk/client-dynamodb', '@aws-sdk/client-sesv2', '@aws-sdk/client-sfn']);
  });
});

describe('dead weight', () => {
  it('leaves the YAML library out (specs reach the functions as JSON), but for the http function', () => {
    // The http function writes an approved change request's baseline patch as YAML for the spec
    // file (GET /api/projects/{id}/baseline, the change request list): it needs the library.
    for (const [name, bundle] of bundles) {
      if (name === 'http') expect([...packagesIn(bundle)]).toContain('yaml');
      else expect([...packagesIn(bundle)], name).not.toContain('yaml');
    }
  });

  it("writes YAML with the library's ESM build: the http function has its writer, not its parser", () => {
    const http = bundles.get('http')!;
    expect(inputsMatching(http, /node_modules\/yaml\/browser\/dist\/stringify\/stringify\.js$/)).toHaveLength(
      1,
    );
    expect(inputsMatching(http, /node_modules\/yaml\/.*\/(parse\/parser|compose\/composer)\.js$/)).toEqual(
      [],
    );
    expect(inputsMatching(http, /node_modules\/yaml\/dist\//)).toEqual([]);
  });

  it('writes the same YAML bundled as unbundled (the baseline and a change patch)', async () => {
    const file = (
      await bundleFunction('functions/core/change-requests/baseline-yaml.ts', tempDir('milepost-yaml-'))
    ).file;
    const project = makeProject();
    const changes = [
      { field: 'budget.amount', old: 1000, new: 1500 },
      { field: 'scope.in', old: ['a'], new: ['a', 'b: "quoted"'] },
    ];
    const out = await runBundled(
      file,
      `out(JSON.stringify([mod.baselineYaml(${JSON.stringify(project)}), mod.changePatchYaml(${JSON.stringify(changes)})]));`,
      baseEnv(),
    );
    expect(JSON.parse(out)).toEqual([baselineYaml(project), changePatchYaml(changes)]);
    expect(parse(changePatchYaml(changes))).toEqual({
      budget: { amount: 1500 },
      scope: { in: ['a', 'b: "quoted"'] },
    });
  });

  it('keeps classic zod in the http function only: the others build their schemas with zod/mini', () => {
    // Classic zod keeps every schema type and check, used or not, because its methods reference
    // them (about 50 KB per function); mini keeps what a function builds. The http function's API
    // schemas stay classic for @hono/zod-openapi.
    for (const [name, bundle] of bundles) {
      const classic = inputsMatching(bundle, /node_modules\/zod\/v4\/classic\//);
      if (name === 'http') expect(classic, name).not.toEqual([]);
      else {
        expect(classic, name).toEqual([]);
        expect(inputsMatching(bundle, /node_modules\/zod\/v4\/mini\/schemas\.js$/), name).toHaveLength(1);
      }
    }
  });

  it('takes only the English locale of zod', () => {
    for (const [name, bundle] of bundles) {
      const locales = inputsMatching(bundle, /node_modules\/zod\/.*locales\/(?!index)/).map((p) =>
        p.slice(p.lastIndexOf('/') + 1),
      );
      // The stand-in index (namespace `zod-locales:`) and en.js itself both carry that name.
      expect([...new Set(locales)], name).toEqual(['en.js']);
    }
  });

  it("leaves the SDK's event-stream codec out where no client streams events", () => {
    // The S3 and Lambda clients import the codec themselves (their streaming operations); the
    // HTTP protocol's own import of it resolves to a stand-in in every bundle.
    for (const [name, bundle] of bundles) {
      const clients = [...packagesIn(bundle)].filter((p) => /client-(s3|lambda)$/.test(p));
      const codec = inputsMatching(bundle, /^[^:]*@smithy\/core\/.*event-streams\/EventStreamSerde\.js$/);
      if (clients.length === 0) expect(codec, name).toEqual([]);
      expect(inputsMatching(bundle, /^sdk-no-event-streams:/), name).toHaveLength(
        [...packagesIn(bundle)].some((p) => p.startsWith('@aws-sdk/client-')) ? 1 : 0,
      );
    }
    expect(inputsMatching(bundles.get('mailFeedback')!, /event-streams/)).toEqual([
      'sdk-no-event-streams:event-streams',
    ]);
  });

  it('keeps the default credential chain (SSO, INI, STS, web identity, IMDS) out', () => {
    for (const [name, bundle] of bundles) {
      const packages = [...packagesIn(bundle)];
      expect(
        packages.filter((p) => /credential-provider|nested-clients|token-providers/.test(p)),
        name,
      ).toEqual([]);
      // The documents function calls no AWS service: it has no client, so no credentials either.
      expect(inputsMatching(bundle, /functions\/adapters\/lambda-credentials\.ts$/), name).toHaveLength(
        name === 'documents' ? 0 : 1,
      );
    }
  });

  it('bundles the document generators only where a gate is opened, submitted, asked again or rechecked (approvals, http, lifecycle, register, schedule)', () => {
    // The generators, with the document models and the publishing they bring, are apart from the
    // stage types (functions/core/stages/documents.ts). The approval pages generate the waiting
    // gate's document again when a change request approved through its link re-baselines the
    // project, and registration when a deployed spec edit changed the document a waiting round
    // approves (renew-gate-approvals.ts). Registration also progresses other projects' resourcing
    // gates when a deploy or an archive changes whom a project holds (recheck-capacity-gates.ts).
    const generators =
      /functions\/core\/(use-cases\/(publish-document|generate-(charter|plan|closeout))|stages\/documents)\.ts$/;
    const generating = [...bundles]
      .filter(([, b]) => inputsMatching(b, generators).length > 0)
      .map(([n]) => n);
    expect(generating.sort()).toEqual(['approvals', 'http', 'lifecycle', 'register', 'schedule']);
    expect(STANDARD_STAGE_TYPES.filter((t) => !t.criteriaDependOnlyOnProject && t.approvalDocument)).toEqual(
      [],
    );
    // Registration compares the document drafts on the old and the new spec: it keeps the models.
    const register = bundles.get('register')!;
    for (const model of ['charter', 'closeout', 'plan']) {
      expect(
        inputsMatching(register, new RegExp(`functions/core/documents/${model}\\.ts$`)),
        model,
      ).toHaveLength(1);
    }
    // What register does run of the stages stays: every type's criteria and approval content (a
    // spec change may ask the open gate again, or withdraw its requests).
    expect(inputsMatching(register, /functions\/core\/stages\/qa\.ts$/)).toHaveLength(1);
  });

  it('bundles the chat poster only in the functions that post staff notices (http, lifecycle, schedule)', () => {
    // Registration emails approvers only (requests, withdrawals), which never go to a chat channel.
    const posting = [...bundles]
      .filter(([, b]) => inputsMatching(b, /functions\/adapters\/webhook-notifier\.ts$/).length > 0)
      .map(([n]) => n);
    expect(posting.sort()).toEqual(['http', 'lifecycle', 'schedule']);
  });
});

describe("zod's JSON Schema generator", () => {
  // A string of zod's generator (to-json-schema.js), the URI of the draft it writes by default.
  const GENERATOR = 'https://json-schema.org/draft/2020-12/schema';

  it('is only in the function that writes JSON Schema (http: its OpenAPI document)', () => {
    // The others build their schemas with zod/mini, which has no `.toJSONSchema()`.
    for (const [name, bundle] of bundles) {
      // The real module (the stand-in's path is prefixed by its namespace).
      const generator = inputsMatching(bundle, /^[^:]*node_modules\/zod\/v4\/core\/to-json-schema\.js$/);
      const code = readFileSync(bundle.file, 'utf8');
      if (name === 'http') {
        expect(generator, name).toHaveLength(1);
        expect(code, name).toContain(GENERATOR);
      } else {
        expect(generator, name).toEqual([]);
        expect(code, name).not.toContain(GENERATOR);
      }
    }
  });

  it('leaves a bundled function rejecting a bad event with zod English messages', async () => {
    const out = await runBundled(
      bundles.get('mailFeedback')!.file,
      `try { await mod.handler({ detail: { eventType: 'Bounce', mail: { messageId: 5 } } }); out('accepted'); } catch (e) { out(e.message); }`,
      baseEnv(),
    );
    expect(out).toBe(
      'detail.mail.messageId: Invalid input: expected string, received number; detail.bounce: Invalid input: expected object, received undefined',
    );
  });

  it('leaves a bundled function rejecting a malformed stored record, naming the field and the error', async () => {
    const t = await makeTestStore();
    const project = makeProject();
    await t.store.commit([project]);
    await t.client.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: { PK: `PROJECT#${project.id}`, SK: 'PROJECT' },
        UpdateExpression: 'SET #n = :n',
        ExpressionAttributeNames: { '#n': 'name' },
        ExpressionAttributeValues: { ':n': 42 },
      }),
    );
    const event = {
      detail: {
        eventType: 'Complaint',
        mail: { messageId: 'm-1' },
        complaint: {
          complainedRecipients: [{ emailAddress: 'sponsor@acme.example' }],
          timestamp: '2026-12-03T08:00:00.000Z',
        },
      },
    };
    const out = await runBundled(
      bundles.get('mailFeedback')!.file,
      `try { await mod.handler(${JSON.stringify(event)}); out('accepted'); } catch (e) { out(e.name + ': ' + e.message); }`,
      { ...baseEnv(), TABLE_NAME: t.tableName, DYNAMODB_ENDPOINT: t.endpoint },
    );
    // The error keeps its name in the minified code (what the logs and the runtime's errorType show).
    expect(out).toBe(
      `MalformedRecordError: stored project PROJECT#${project.id}/PROJECT is malformed: name: Invalid input: expected string, received number`,
    );
    await t.drop();
  });
});

describe('the code and its source map', () => {
  it('writes only index.mjs where the code zip is made, with no map and no link to one', () => {
    for (const [name, bundle] of bundles) {
      expect(readdirSync(bundle.outdir), name).toEqual(['index.mjs']);
      expect(readFileSync(bundle.file, 'utf8'), name).not.toContain('sourceMappingURL');
      expect(readdirSync(bundle.mapsDir), name).toEqual([
        expect.stringMatching(new RegExp(`^${name}\\.[0-9a-f]{12}\\.mjs\\.map$`)),
      ]);
    }
  });

  it('maps a stack trace of the minified code back to the source', async () => {
    const bundle = bundles.get('mailFeedback')!;
    const stack = await runBundled(
      bundle.file,
      'try { await mod.handler({ detail: {} }); } catch (e) { out(e.stack); }',
      baseEnv(),
    );
    expect(stack).toMatch(/index\.mjs:\d+:\d+/);
    const map = JSON.parse(readFileSync(bundle.mapFile!, 'utf8'));
    expect(mapStackTrace(stack, map)).toContain('[functions/handlers/mail-feedback.ts:');
  });
});

describe('the credential chain inside a bundle', () => {
  let probe: string;
  beforeAll(async () => {
    probe = (await bundleFunction('test/support/credentials-probe.ts', tempDir('milepost-probe-'))).file;
  });

  it('signs with the credentials of the environment', async () => {
    const out = await runBundled(
      probe,
      `out(String(await mod.handler(${JSON.stringify(inject('dynamodbEndpoint'))})));`,
      {
        ...baseEnv(),
        AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_SESSION_TOKEN: 'token',
      },
    );
    expect(out).toBe('true');
  });

  it('fails with a clear error when the environment has none (no other source is tried)', async () => {
    const out = await runBundled(
      probe,
      `try { await mod.handler(${JSON.stringify(inject('dynamodbEndpoint'))}); out('sent'); } catch (e) { out(e.name + ': ' + e.message); }`,
      { ...baseEnv(), HOME: tempDir('milepost-home-') },
    );
    expect(out).toBe(
      'CredentialsProviderError: no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)',
    );
  });
});

describe('the documents function', () => {
  /** What fontkit, AES, png-js and the JavaScript decoders brought (with their own dependencies). */
  const LEFT_OUT = [
    'fontkit',
    'brotli',
    'unicode-properties',
    'restructure',
    'dfa',
    'clone',
    'fast-deep-equal',
    '@swc/helpers',
    '@noble/ciphers',
    'png-js',
    'tiny-inflate',
    'base64-js',
  ];

  /** The documents code as `cdk synth` deploys it: the bundle with the fonts the construct copies. */
  let code: string;
  beforeAll(async () => {
    const dir = tempDir('milepost-documents-code-');
    code = (await bundleFunction(built.platform.functions.documents.entry, dir)).file;
    execFileSync('sh', ['-c', pdfFontHooks().afterBundling('', dir).join(' && ')]);
  }, 120_000);

  it('leaves out what the renderer cannot use: each stand-in replaces its package, inside pdfkit only', () => {
    const documents = bundles.get('documents')!;
    const packages = [...packagesIn(documents)];
    for (const pkg of LEFT_OUT) expect(packages, pkg).not.toContain(pkg);
    // What the renderer does use stays: pdfkit, its line breaking and the table that drives it.
    expect(packages).toEqual(expect.arrayContaining(['pdfkit', 'linebreak', 'unicode-trie', 'zod']));
    expect(inputsMatching(documents, /^(pdfkit-stand-in|native-decoder):/).sort()).toEqual(
      [
        ...Object.keys(NATIVE_DECODERS).map((n) => `native-decoder:${n}`),
        ...Object.keys(PDFKIT_STAND_INS).map((n) => `pdfkit-stand-in:${n}`),
      ].sort(),
    );
    // The event schema is zod/mini: none of the classic API.
    expect(inputsMatching(documents, /node_modules\/zod\/v4\/classic\//)).toEqual([]);
    // The issue's limit for every function, met by this one.
    expect(documents.codeBytes).toBeLessThanOrEqual(300 * 1024);
    // No other function has pdfkit, so no other has the stand-ins.
    for (const [name, bundle] of bundles)
      if (name !== 'documents')
        expect(
          inputsMatching(bundle, /^(pdfkit-stand-in|native-decoder):|node_modules\/pdfkit\//),
          name,
        ).toEqual([]);
  });

  it('renders every document kind (charter, plan, status report, close-out) byte for byte as the renderer does unbundled', async () => {
    const models = documentModels();
    const events = join(tempDir('milepost-documents-events-'), 'events.json');
    writeFileSync(events, JSON.stringify(models.map((document) => ({ document }))));
    const pdfs = JSON.parse(
      await runBundled(
        code,
        `const events = JSON.parse((await import('node:fs')).readFileSync(${JSON.stringify(events)}, 'utf8')); const pdfs = []; for (const e of events) pdfs.push((await mod.handler(e)).pdf); out(JSON.stringify(pdfs));`,
        baseEnv(),
      ),
    ) as string[];
    expect(pdfs).toHaveLength(models.length);
    const renderer = new PdfKitRenderer();
    for (const [i, model] of models.entries()) {
      const bytes = Buffer.from(pdfs[i]!, 'base64');
      expect(bytes.subarray(0, 5).toString('latin1'), model.title).toBe('%PDF-');
      // Same line breaks, fonts and layout: the same bytes (rendering is deterministic).
      expect(bytes.equals(Buffer.from(await renderer.render(model))), model.title).toBe(true);
    }
  });

  it('refuses a malformed model naming the field, in English', async () => {
    const [model] = documentModels();
    const message = await runBundled(
      code,
      `try { await mod.handler(${JSON.stringify({ document: { ...model, docVersion: 0 } })}); out('rendered'); } catch (e) { out(e.message); }`,
      baseEnv(),
    );
    expect(JSON.parse(message)).toEqual([
      expect.objectContaining({
        path: ['document', 'docVersion'],
        message: 'Too small: expected number to be >=1',
      }),
    ]);
  });

  it('fails with a clear error where pdfkit would need what is left out; RC4 encryption, which stays, works', async () => {
    const probe = (await bundleFunction('test/support/pdfkit-probe.ts', tempDir('milepost-pdfkit-probe-')))
      .file;
    execFileSync('sh', ['-c', pdfFontHooks().afterBundling('', join(probe, '..')).join(' && ')]);
    const run = (feature: string) =>
      runBundled(probe, `out(await mod.handler(${JSON.stringify(feature)}));`, baseEnv());
    expect(await run('font')).toBe(
      "fontkit: embedded fonts are not part of this bundle: the renderer uses PDF's standard fonts",
    );
    expect(await run('image')).toBe(
      'png-js: PNG images are not part of this bundle: the renderer draws no images',
    );
    expect(await run('aes')).toBe(
      '@noble/ciphers/aes: AES encryption (PDF 1.6 and later) is not part of this bundle: the renderer sets no password',
    );
    expect(await run('rc4')).toBe('ok %PDF- true');
  });

  it("decodes linebreak's class table with Node's zlib and Buffer exactly as tiny-inflate and base64-js do", () => {
    const require = createRequire(import.meta.url);
    const dir = tempDir('milepost-decoders-');
    const native = Object.fromEntries(
      Object.entries(NATIVE_DECODERS).map(([name, { contents }]) => {
        const file = join(dir, `${name}.cjs`);
        writeFileSync(file, contents);
        return [name, require(file)];
      }),
    );
    const original = { inflate: require('tiny-inflate'), base64: require('base64-js') };
    // The table linebreak decodes at import (its one base64 literal), as unicode-trie reads it.
    const source = readFileSync(require.resolve('linebreak').replace(/main\.cjs$/, 'module.mjs'), 'utf8');
    const b64 = /toByteArray\("([A-Za-z0-9+/=]+)"\)/.exec(source)![1]!;
    const bytes: Uint8Array = native['base64-js'].toByteArray(b64);
    expect(Buffer.from(bytes).equals(Buffer.from(original.base64.toByteArray(b64)))).toBe(true);
    const length = Buffer.from(bytes).readUInt32LE(8);
    const twice = (inflate: (s: Uint8Array, d: Uint8Array) => Uint8Array) =>
      Buffer.from(inflate(inflate(bytes.subarray(12), new Uint8Array(length)), new Uint8Array(length)));
    const decoded = twice(native['tiny-inflate']);
    expect(decoded.length).toBe(length);
    expect(decoded.equals(twice(original.inflate))).toBe(true);
  });
});

/** One model of each document kind the core builds, with text that wraps over many lines. */
function documentModels(): DocumentModel[] {
  const project = makeProject();
  const stages = makeStages(project);
  const tasks = [
    makeTask({
      id: 'tenant',
      type: 'deliverable',
      name: 'Configured tenant',
      stage: 'execution',
      status: 'done',
    }),
    makeTask({ id: 'docs', type: 'task', name: 'Write runbook', stage: 'support', status: 'todo' }),
  ];
  const risks = [makeRisk({ title: 'Mail lost during migration', likelihood: 4, impact: 5 })];
  const drafts: DocumentDraft[] = [
    charterDocument(project),
    planDocument({
      project,
      stakeholders: [makeStakeholder()],
      members: [makeMember()],
      resources: [makeResource()],
      risks,
    }),
    statusDocument(
      statusReportContent({
        ctx: {
          mspName: 'Northwind IT',
          projectName: project.name,
          customerName: 'Acme',
          timezone: 'Europe/London',
        },
        date: '2026-12-04',
        health: {
          rag: 'amber',
          reasons: ['SPI below threshold'],
          spi: 0.8,
          cpi: 1,
          plannedHours: 10,
          earnedHours: 8,
          actualHours: 10,
          customerWaitMs: 0,
          forecastEnd: '2027-02-26',
        },
        currentStage: 'Execution',
        stages: [{ name: 'Initiation', status: 'completed', due: '2026-12-05' }],
        doneTasks: [{ name: 'Configured tenant', stageName: 'Execution' }],
        openTasks: [{ name: 'Write runbook', stageName: 'Support', status: 'todo', due: '2027-01-10' }],
        risks: [{ title: 'Mail lost during migration', score: 20, owner: 'pm@msp.example' }],
        pendingApprovals: [],
        milestones: [{ name: 'Cut-over', due: '2027-01-15' }],
        budget: { hours: 100, currency: 'GBP', amount: 1000 },
        plannedEnd: '2027-02-26',
      }),
      { projectName: project.name, customerName: 'Acme', mspName: 'Northwind IT', date: '2026-12-04' },
    ),
    closeoutDocument({
      project,
      stages,
      gates: [makeGate({ stage: 'execution', status: 'approved', decidedAt: '2027-01-22T15:00:00.000Z' })],
      tasks,
      risks,
      lessons: [],
      closedAt: '2027-03-12T11:00:00.000Z',
    }),
  ];
  // Every character the standard fonts show, between words, numbers, hyphens, slashes, quotes and
  // URLs: line breaking decides on each of them, so a wrong class table moves a break.
  const latin1 = Array.from({ length: 0xff - 0xa0 + 1 }, (_, i) => String.fromCharCode(0xa0 + i)).join('');
  const ascii = Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
  // WinAnsi beyond Latin-1, and names the renderer writes as their closest WinAnsi text.
  const winAnsi = 'Š š Ž ž Œ œ Ÿ ƒ ˆ ˜ ‚a„ † ‡ ‰ ‹b› ™';
  const names = 'Łukasz Dvořák Gdańsk Şahin Đorđe Kılıç ﬁnance 10\u202f000 Дмитрий';
  const wrapped = `${ascii} ${latin1} ${winAnsi} ${names} well-known co-operation 1,250.00/month (est.) "quoted" 'single' \u2013 \u2014 \u2018a\u2019 \u201cb\u201d \u2022 \u2026 \u20ac5 https://evidence.example/a-very/long_path?with=query&and=more e.g. 10:30-12:00 50% +/-3 [x]{y}`;
  return drafts.map((draft, i) => ({
    ...draft,
    sections: [
      ...draft.sections,
      {
        heading: 'Line breaking',
        blocks: Array.from({ length: 3 }, () => ({ type: 'paragraph' as const, text: wrapped })),
      },
    ],
    docVersion: i + 1,
    createdAt: '2026-12-01T09:00:00.000Z',
  }));
}

describe('the signed REST requests inside a bundle', () => {
  let probe: string;
  let aws: FakeAws;
  beforeAll(async () => {
    probe = (await bundleFunction('test/support/rest-probe.ts', tempDir('milepost-rest-probe-'))).file;
    aws = await startFakeAws({ ASIAENVEXAMPLE: 'env-secret' });
    aws.answer(() => ({ status: 200, body: 'object' }));
  });
  afterAll(async () => {
    await aws?.close();
  });

  it('sign with the credentials and session token of the environment', async () => {
    const out = await runBundled(
      probe,
      `out(String(await mod.handler(${JSON.stringify(`${aws.endpoint}/b/k`)})));`,
      {
        ...baseEnv(),
        AWS_ACCESS_KEY_ID: 'ASIAENVEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'env-secret',
        AWS_SESSION_TOKEN: 'env-token',
      },
    );
    expect(out).toBe('200');
    expect(aws.requests.at(-1)!.signature).toMatchObject({
      ok: true,
      accessKeyId: 'ASIAENVEXAMPLE',
      service: 's3',
    });
    expect(aws.requests.at(-1)!.headers['x-amz-security-token']).toBe('env-token');
  });

  it('fail clearly without credentials, sending nothing', async () => {
    const before = aws.requests.length;
    const out = await runBundled(
      probe,
      `try { await mod.handler(${JSON.stringify(`${aws.endpoint}/b/k`)}); out('sent'); } catch (e) { out(e.message); }`,
      { ...baseEnv(), HOME: tempDir('milepost-home-') },
    );
    expect(out).toBe(
      's3 GetObject failed: no credentials to sign with (no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY))',
    );
    expect(aws.requests).toHaveLength(before);
  });
});

describe('the SDK inside a bundle', () => {
  /** The stand-ins of SDK_STAND_INS a bundle must have, from the clients it holds. */
  function standInsFor(bundle: BundleResult): string[] {
    const packages = [...packagesIn(bundle)];
    const clients = packages.filter((p) => p.startsWith('@aws-sdk/client-'));
    // SigV4 signs for the clients and for the REST adapters (functions/adapters/aws-request.ts).
    const signer = packages.includes('@smithy/signature-v4') ? ['event-stream-signing'] : [];
    if (clients.length === 0) return signer;
    return [
      ...signer,
      'sha256-js',
      'adaptive-retry',
      'imds-region',
      's3-endpoint-params',
      ...(clients.includes('@aws-sdk/client-dynamodb') ? ['endpoint-discovery'] : []),
      // SESv2 is the one REST client (the protocol that would wrap a streaming body).
      ...(clients.includes('@aws-sdk/client-sesv2') ? ['sigv4a', 'streaming-payloads'] : []),
    ].sort();
  }

  it('replaces what milepost never runs (SDK_STAND_INS) with its stand-in, and the real modules are gone', () => {
    expect(Object.keys(SDK_STAND_INS).sort()).toEqual(
      [
        'adaptive-retry',
        'endpoint-discovery',
        'event-stream-signing',
        'imds-region',
        's3-endpoint-params',
        'sha256-js',
        'sigv4a',
        'streaming-payloads',
      ].sort(),
    );
    for (const [name, bundle] of bundles) {
      const standIns = inputsMatching(bundle, /^sdk-stand-in:/).map((p) => p.slice('sdk-stand-in:'.length));
      expect(standIns.sort(), name).toEqual(standInsFor(bundle));
      // The real modules (their paths are not in a stand-in's namespace).
      expect(
        inputsMatching(
          bundle,
          /^[^:]*node_modules\/.*\/(Sha256Js|DefaultRateLimiter|AdaptiveRetryStrategy|service-customizations\/s3|getInstanceMetadataRegion|SignatureV4MultiRegion|resolveEndpointDiscoveryConfig|HeaderFormatter)\.js$/,
        ),
        name,
      ).toEqual([]);
      const packages = [...packagesIn(bundle)];
      for (const pkg of ['mnemonist', 'obliterator', '@aws-sdk/endpoint-cache'])
        expect(packages, `${name}: ${pkg}`).not.toContain(pkg);
    }
    // Every function but documents has the DynamoDB client, so all of them are in use somewhere.
    expect(new Set([...bundles.values()].flatMap(standInsFor))).toEqual(new Set(Object.keys(SDK_STAND_INS)));
  });

  it('bundles no client with an operation that streams its response (the streaming-payloads stand-in)', () => {
    const require = createRequire(import.meta.url);
    const clients = new Set([...bundles.values()].flatMap((b) => [...packagesIn(b)]));
    const bundled = [...clients].filter((p) => p.startsWith('@aws-sdk/client-'));
    expect(bundled.length).toBeGreaterThan(0);
    for (const client of bundled) {
      const schemas = readFileSync(
        require.resolve(`${client}/package.json`).replace(/package\.json$/, 'dist-es/schemas/schemas_0.js'),
        'utf8',
      );
      // A streaming member carries the `streaming` trait in its schema (as Lambda's does).
      expect(schemas, client).not.toContain('streaming');
    }
  });

  it("keeps of each client's package.json its version alone (the user agent's)", () => {
    const require = createRequire(import.meta.url);
    for (const [name, bundle] of bundles) {
      const files = inputsMatching(bundle, /@aws-sdk\/client-[^/]+\/package\.json$/);
      // One for each client in the bundle.
      expect(files.length, name).toBe(
        [...packagesIn(bundle)].filter((p) => p.startsWith('@aws-sdk/client-')).length,
      );
      for (const file of files) {
        const pkg = /@aws-sdk\/client-[^/]+/.exec(file)![0];
        const { version } = require(`${pkg}/package.json`) as { version: string };
        const bytes = Object.values(bundle.metafile.outputs).find((o) => o.inputs[file])!.inputs[file]!
          .bytesInOutput;
        // `{version:"3.1169.0"}` as esbuild writes the object.
        expect(bytes, `${name}: ${file}`).toBeLessThanOrEqual(`{version:"${version}"}`.length + 8);
      }
    }
  });

  describe('the clients of a bundle call AWS as unbundled', () => {
    let probe: string;
    let aws: FakeAws;
    /** How the stand-in AWS answers each service, successes or modelled errors. */
    let failing = false;
    const credentials = {
      accessKeyId: 'ASIASDKPROBE',
      secretAccessKey: 'sdk-probe-secret',
      sessionToken: 'sdk-probe-token',
    };
    const env = () => ({
      ...baseEnv(),
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken,
    });

    /** SES (REST JSON), Step Functions and DynamoDB (JSON 1.0) as AWS answers them. */
    function answer(req: ReceivedRequest): Reply {
      if (!req.signature.ok) return { status: 403, body: JSON.stringify({ message: req.signature.reason }) };
      const json10 = { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'req-json10' };
      if (req.target === '/v2/email/outbound-emails')
        return failing
          ? {
              status: 400,
              headers: {
                'content-type': 'application/json',
                'x-amzn-requestid': 'req-ses',
                'x-amzn-errortype': 'MessageRejected:http://internal.amazon.com/coral/com.amazonaws.sesv2/',
              },
              body: JSON.stringify({ message: 'Email address is not verified. sponsor@acme.example' }),
            }
          : {
              status: 200,
              headers: { 'content-type': 'application/json', 'x-amzn-requestid': 'req-ses' },
              body: JSON.stringify({ MessageId: '0102018f-ses-message' }),
            };
      if (req.headers['x-amz-target'] === 'AWSStepFunctions.SendTaskSuccess')
        return failing
          ? {
              status: 400,
              headers: json10,
              body: JSON.stringify({
                __type: 'com.amazonaws.states#TaskTimedOut',
                message: 'Task Timed Out',
              }),
            }
          : { status: 200, headers: json10, body: '{}' };
      if (req.headers['x-amz-target'] === 'secretsmanager.GetSecretValue')
        return {
          status: 200,
          headers: { 'content-type': 'application/x-amz-json-1.1' },
          body: JSON.stringify({ SecretString: 'https://hooks.example/services/T0/B0/secret\n' }),
        };
      if (req.headers['x-amz-target'] === 'DynamoDB_20120810.GetItem')
        return {
          status: 200,
          headers: json10,
          body: JSON.stringify({
            Item: { PK: { S: 'PROJECT#p-1' }, SK: { S: 'PROJECT' }, n: { N: '2.50' } },
          }),
        };
      return { status: 404, body: '{}' };
    }

    beforeAll(async () => {
      probe = (await bundleFunction('test/support/sdk-probe.ts', tempDir('milepost-sdk-probe-'))).file;
      aws = await startFakeAws({ [credentials.accessKeyId]: credentials.secretAccessKey });
      aws.answer(answer);
    });
    afterAll(async () => {
      await aws?.close();
    });

    /** What a request carried, without what differs on every request (date, signature, invocation id). */
    function comparable(req: ReceivedRequest) {
      const varying = [
        'authorization',
        'x-amz-date',
        'amz-sdk-invocation-id',
        'user-agent',
        'x-amz-user-agent',
      ];
      return {
        method: req.method,
        target: req.target,
        body: req.body.toString('utf8'),
        headers: Object.fromEntries(Object.entries(req.headers).filter(([h]) => !varying.includes(h))),
        signedHeaders: req.signature.signedHeaders,
      };
    }

    /** The call bundled (credentials from the environment) then unbundled: both requests and results. */
    async function both(call: sdkProbe.ProbeCall) {
      const bundled = JSON.parse(
        await runBundled(
          probe,
          `out(JSON.stringify(await mod.handler(${JSON.stringify(call)}, ${JSON.stringify(aws.endpoint)})));`,
          env(),
        ),
      ) as sdkProbe.ProbeResult;
      const bundledRequest = aws.requests.at(-1)!;
      const unbundled = await sdkProbe.handler(call, aws.endpoint, credentials);
      const unbundledRequest = aws.requests.at(-1)!;
      expect(unbundledRequest).not.toBe(bundledRequest);
      return { bundled, bundledRequest, unbundled, unbundledRequest };
    }

    const SERVICES: Record<sdkProbe.ProbeCall, { pkg: string; api: string; service: string }> = {
      sendEmail: { pkg: '@aws-sdk/client-sesv2', api: 'sesv2', service: 'ses' },
      sendTaskSuccess: { pkg: '@aws-sdk/client-sfn', api: 'sfn', service: 'states' },
      getItem: { pkg: '@aws-sdk/client-dynamodb', api: 'dynamodb', service: 'dynamodb' },
    };

    it.each(['sendEmail', 'sendTaskSuccess', 'getItem'] as const)(
      '%s: the same signed request, with the user agent of the package version, and the same answer',
      async (call) => {
        failing = false;
        const r = await both(call);
        expect(r.bundledRequest.signature).toMatchObject({
          ok: true,
          accessKeyId: credentials.accessKeyId,
          region: 'eu-west-2',
          service: SERVICES[call].service,
        });
        expect(r.bundledRequest.headers['x-amz-security-token']).toBe(credentials.sessionToken);
        expect(r.unbundledRequest.signature.ok).toBe(true);
        expect(comparable(r.bundledRequest)).toEqual(comparable(r.unbundledRequest));
        const { version } = createRequire(import.meta.url)(`${SERVICES[call].pkg}/package.json`) as {
          version: string;
        };
        expect(r.bundledRequest.headers['user-agent']).toMatch(
          new RegExp(
            `^aws-sdk-js/${version.replace(/\./g, '\\.')} ua/2\\.1 os/\\S+ lang/js md/nodejs#\\S+ api/${SERVICES[call].api}#${version.replace(/\./g, '\\.')} m/\\S+$`,
          ),
        );
        expect(r.bundled).toEqual(r.unbundled);
        expect(r.bundled.ok).toBe(true);
      },
    );

    it.each([
      ['sendEmail', 'MessageRejected'],
      ['sendTaskSuccess', 'TaskTimedOut'],
    ] as const)('%s: the modelled error %s, with the same name, class and fields', async (call, name) => {
      failing = true;
      const r = await both(call);
      expect(comparable(r.bundledRequest)).toEqual(comparable(r.unbundledRequest));
      expect(r.bundled).toEqual(r.unbundled);
      expect(r.bundled).toMatchObject({ ok: false, name, modeled: true, fields: { name, $fault: 'client' } });
    });

    it("reads a secret signed with Node's SHA-256: the same request, body hash and value as unbundled", async () => {
      const bundled = await runBundled(
        probe,
        `out(await mod.readSecret(${JSON.stringify(aws.endpoint)}));`,
        env(),
      );
      const bundledRequest = aws.requests.at(-1)!;
      const unbundled = await sdkProbe.readSecret(aws.endpoint, credentials);
      const unbundledRequest = aws.requests.at(-1)!;
      expect(bundled).toBe('https://hooks.example/services/T0/B0/secret');
      expect(unbundled).toBe(bundled);
      expect(bundledRequest.signature).toMatchObject({ ok: true, service: 'secretsmanager' });
      // The payload hash is one of the signed headers: Node's digest is the JavaScript one.
      expect(bundledRequest.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
      expect(comparable(bundledRequest)).toEqual(comparable(unbundledRequest));
      // No JavaScript SHA-256 in any bundle.
      for (const [name, bundle] of bundles)
        expect([...packagesIn(bundle)], name).not.toContain('@aws-crypto/sha256-js');
    });

    it('answers where a stand-in is reached with its message, and sends nothing', async () => {
      const before = aws.requests.length;
      const noRegion: NodeJS.ProcessEnv = env();
      delete noRegion['AWS_REGION'];
      const reached = JSON.parse(
        await runBundled(
          probe,
          `out(JSON.stringify(await mod.reach(${JSON.stringify(aws.endpoint)})));`,
          noRegion,
        ),
      ) as Record<string, string>;
      expect(reached).toEqual({
        endpointDiscovery: SDK_STAND_INS['endpoint-discovery']!.message,
        sigv4a: SDK_STAND_INS.sigv4a!.message,
        eventStreamSigning: SDK_STAND_INS['event-stream-signing']!.message,
        streamingPayloads: SDK_STAND_INS['streaming-payloads']!.message,
        s3EndpointParams: SDK_STAND_INS['s3-endpoint-params']!.message,
        imdsRegion: SDK_STAND_INS['imds-region']!.message,
      });
      // The adaptive retry mode, were it set in the environment, fails the first request.
      const adaptive = JSON.parse(
        await runBundled(
          probe,
          `out(JSON.stringify(await mod.handler('getItem', ${JSON.stringify(aws.endpoint)})));`,
          { ...env(), AWS_RETRY_MODE: 'adaptive' },
        ),
      ) as sdkProbe.ProbeResult;
      expect(adaptive).toMatchObject({ ok: false, message: SDK_STAND_INS['adaptive-retry']!.message });
      expect(aws.requests).toHaveLength(before);
    });
  });
});

function baseEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    TABLE_NAME: 'milepost',
    STATE_MACHINE_ARN_PREFIX: 'arn:aws:states:eu-west-2:123456789012:stateMachine:',
    PUBLIC_BASE_URL: 'https://a1b2c3d4e5.execute-api.eu-west-2.amazonaws.com',
    SENDER_EMAIL: 'projects@msp.example.com',
    AWS_REGION: 'eu-west-2',
  };
}
