/**
 * The one builder of the CDK app: `cdk synth` (infra/app.ts) and the local runtime
 * (infra/definitions.ts) both call `buildApp`, so what runs locally is what CDK synthesizes.
 */
import { isAbsolute, relative } from 'node:path';
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type LoadedSpec, loadSpecFolder } from '../functions/core/spec/load.js';
import { isKnownTimeZone } from '../functions/core/time.js';
import { type FederationSettings, parseFederation } from './constructs/staff-sign-in.js';
import { PIPELINE_STACK_NAME, PipelineStack } from './pipeline-stack.js';
import { PlatformStack } from './platform-stack.js';
import { ProjectStack } from './project-stack.js';

/** Deployment settings, from CDK context (cdk.json or `-c`) and the CLI's environment. */
export interface AppSettings {
  /** @default the CLI's account (CDK_DEFAULT_ACCOUNT); environment-agnostic when unknown */
  readonly account?: string;
  readonly region: string;
  /** Verified SES sender of every email. */
  readonly senderEmail: string;
  /** The MSP's name in emails and pages. */
  readonly mspName: string;
  /** `milepost:deliveryManagerEmail` (or `deliveryManagerEmail`): budget threshold alerts. */
  readonly deliveryManagerEmail?: string;
  /** Run cdk-nag AwsSolutions at synth. @default true */
  readonly nag?: boolean;
  /** Prefix of the managed login domain (`milepost:authDomainPrefix`). @default `milepost-<account>` */
  readonly authDomainPrefix?: string;
  /** `milepost:mfa`: `optional` (default) or `required`. */
  readonly mfa?: 'optional' | 'required';
  /** `milepost:federation`: the MSP's identity provider (OIDC or SAML). */
  readonly federation?: FederationSettings;
  /** An existing table to use instead of creating one (`milepost:tableName`: a restored table). */
  readonly tableName?: string;
  /** Reserved concurrency of the HTTP function (`milepost:httpReservedConcurrency`; 0: none). @default 50 */
  readonly httpReservedConcurrency?: number;
  /**
   * Reserved concurrency of the approvals function (`milepost:approvalsReservedConcurrency`; 0:
   * none). @default 30
   */
  readonly approvalsReservedConcurrency?: number;
  /**
   * The deploy pipeline's bootstrap stack (`milepost:pipeline` = `<owner>/<repo>`,
   * `milepost:pipelineBranch`, `milepost:githubOidcProviderArn`). @default no pipeline stack
   */
  readonly pipeline?: { repository: string; branch?: string; oidcProviderArn?: string };
  /** `milepost:timeZone`: the platform's IANA time zone (the digest's hour). @default UTC */
  readonly timeZone?: string;
  /** `milepost:webhook` = `{ "kind": "teams" | "slack", "secretName": "<Secrets Manager secret>" }`. */
  readonly webhook?: { kind: 'teams' | 'slack'; secretName: string };
}

export const PLATFORM_STACK_NAME = 'Milepost-Platform';
/** Name of a project's stack. */
export function projectStackName(projectId: string): string {
  return `Milepost-Project-${projectId}`;
}

/**
 * CloudFormation: a template's Description is at most 1,024 bytes; CDK refuses a stack
 * description over 512 characters at synth (StackDescriptionTooLong). Both hold.
 */
export const MAX_STACK_DESCRIPTION = { bytes: 1024, chars: 512 } as const;

/**
 * A project stack's description: its id, name and spec file. A long name (120 characters, up to
 * 3 bytes each) with a file far from the working folder can pass the limits (MAX_STACK_DESCRIPTION):
 * the file is then shortened from its start (its end names it), then the name from its end. A
 * description that fits is left as it was (a changed description updates no resource).
 */
export function projectStackDescription(loaded: Pick<LoadedSpec, 'spec' | 'file'>): string {
  const { id, name } = loaded.spec;
  const text = (n: string, file: string) => `milepost project ${id}: ${n} (${file})`;
  const fits = (s: string) =>
    s.length <= MAX_STACK_DESCRIPTION.chars && Buffer.byteLength(s, 'utf8') <= MAX_STACK_DESCRIPTION.bytes;
  const cut = (chars: string[], keep: number, fromStart: boolean) =>
    keep >= chars.length
      ? chars.join('')
      : fromStart
        ? `…${chars.slice(chars.length - keep).join('')}`
        : `${chars.slice(0, keep).join('')}…`;
  const fileChars = [...loaded.file];
  const nameChars = [...name];
  // The file keeps at least its last 40 characters (its name), then the name is cut.
  const shortestFile = Math.min(40, fileChars.length);
  for (let keep = fileChars.length; keep >= shortestFile; keep--) {
    const candidate = text(name, cut(fileChars, keep, true));
    if (fits(candidate)) return candidate;
  }
  const file = cut(fileChars, shortestFile, true);
  for (let keep = nameChars.length - 1; keep >= 0; keep--) {
    const candidate = text(cut(nameChars, keep, false), file);
    if (fits(candidate)) return candidate;
  }
  return `milepost project ${id}`;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** An address of at most 254 characters (RFC 5321): what SES sends to and from. */
const isEmail = (s: string): boolean => s.length <= 254 && EMAIL.test(s);
/**
 * Longest MSP name (`milepost:mspName`), as long as a project name. With the other settings at
 * their longest, the functions' environment stays well under Lambda's 4 KB
 * (test/infra/aws-limits.test.ts).
 */
export const MAX_MSP_NAME_CHARS = 120;

/** Reads the settings from context (`milepost:*`) and the environment the CDK CLI sets. */
export function readSettings(app: App, env: NodeJS.ProcessEnv = process.env): AppSettings {
  const ctx = (key: string): string | undefined => {
    const v: unknown = app.node.tryGetContext(key);
    return typeof v === 'string' && v.length > 0 ? v : undefined;
  };
  const senderEmail = ctx('milepost:senderEmail');
  if (!senderEmail || !isEmail(senderEmail)) {
    throw new Error(
      'milepost: set the context value milepost:senderEmail (cdk.json or -c) to a verified sender address',
    );
  }
  const account = ctx('milepost:account') ?? env.CDK_DEFAULT_ACCOUNT;
  const deliveryManagerEmail = ctx('milepost:deliveryManagerEmail') ?? ctx('deliveryManagerEmail');
  if (deliveryManagerEmail !== undefined && !isEmail(deliveryManagerEmail)) {
    throw new Error('milepost: the context value milepost:deliveryManagerEmail must be an email address');
  }
  const mfa = ctx('milepost:mfa') ?? 'optional';
  if (mfa !== 'optional' && mfa !== 'required') {
    throw new Error('milepost: the context value milepost:mfa must be "optional" or "required"');
  }
  const prefix = ctx('milepost:authDomainPrefix');
  if (prefix !== undefined && !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(prefix)) {
    throw new Error('milepost: milepost:authDomainPrefix must be lower-case letters, digits and dashes');
  }
  // Cognito refuses a prefix domain with a reserved word in it (only at deploy).
  if (prefix !== undefined && /aws|amazon|cognito/.test(prefix)) {
    throw new Error(
      'milepost: milepost:authDomainPrefix must not contain "aws", "amazon" or "cognito" (Cognito reserves them)',
    );
  }
  const mspName = ctx('milepost:mspName');
  if (mspName !== undefined && mspName.length > MAX_MSP_NAME_CHARS) {
    throw new Error(
      `milepost: milepost:mspName must be at most ${MAX_MSP_NAME_CHARS} characters (it is in every function's environment, which Lambda limits to 4 KB)`,
    );
  }
  const federation = parseFederation(app.node.tryGetContext('milepost:federation'));
  const tableName = ctx('milepost:tableName');
  const repository = ctx('milepost:pipeline');
  const pipelineBranch = ctx('milepost:pipelineBranch');
  const oidcProviderArn = ctx('milepost:githubOidcProviderArn');
  if (tableName !== undefined && !/^[A-Za-z0-9_.-]{3,255}$/.test(tableName)) {
    throw new Error(`milepost: milepost:tableName "${tableName}" is not a DynamoDB table name`);
  }
  const reservedOf = (key: string): number | undefined => {
    const reserved: unknown = app.node.tryGetContext(key);
    const value = reserved === undefined ? undefined : Number(reserved);
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw new Error(`milepost: ${key} must be a whole number, 0 or more`);
    }
    return value;
  };
  const httpReservedConcurrency = reservedOf('milepost:httpReservedConcurrency');
  const approvalsReservedConcurrency = reservedOf('milepost:approvalsReservedConcurrency');
  const timeZone = ctx('milepost:timeZone');
  if (timeZone !== undefined && !isKnownTimeZone(timeZone)) {
    throw new Error(`milepost: milepost:timeZone "${timeZone}" is not an IANA time zone`);
  }
  const webhook = parseWebhook(app.node.tryGetContext('milepost:webhook'));
  return {
    ...(timeZone ? { timeZone } : {}),
    ...(webhook ? { webhook } : {}),
    ...(account ? { account } : {}),
    region: ctx('milepost:region') ?? env.CDK_DEFAULT_REGION ?? env.AWS_REGION ?? 'us-east-1',
    senderEmail,
    mspName: mspName ?? 'Your MSP',
    ...(deliveryManagerEmail ? { deliveryManagerEmail } : {}),
    mfa,
    ...(prefix ? { authDomainPrefix: prefix } : {}),
    ...(federation ? { federation } : {}),
    ...(tableName ? { tableName } : {}),
    ...(repository
      ? {
          pipeline: {
            repository,
            ...(pipelineBranch ? { branch: pipelineBranch } : {}),
            ...(oidcProviderArn ? { oidcProviderArn } : {}),
          },
        }
      : {}),
    ...(httpReservedConcurrency !== undefined ? { httpReservedConcurrency } : {}),
    ...(approvalsReservedConcurrency !== undefined ? { approvalsReservedConcurrency } : {}),
  };
}

/** `milepost:webhook` (an object, or its JSON from `-c`): the platform's chat channel. */
function parseWebhook(value: unknown): AppSettings['webhook'] {
  if (value === undefined || value === null || value === '') return undefined;
  let v: unknown = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      v = undefined;
    }
  }
  const o = v as { kind?: unknown; secretName?: unknown } | undefined;
  if (
    !o ||
    (o.kind !== 'teams' && o.kind !== 'slack') ||
    typeof o.secretName !== 'string' ||
    !/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(o.secretName)
  ) {
    throw new Error(
      'milepost: milepost:webhook must be { "kind": "teams" | "slack", "secretName": "<Secrets Manager secret name>" }',
    );
  }
  return { kind: o.kind, secretName: o.secretName };
}

/**
 * Loads every spec of a folder (`*.yaml`, `*.yml`, sorted) with the one discovery
 * (`loadSpecFolder`); throws SpecValidationError listing every error, SpecFolderError when the
 * folder is missing.
 */
export async function loadProjectSpecs(dir: string): Promise<LoadedSpec[]> {
  // Errors name files as the user would: relative inside the working folder, absolute outside it.
  return loadSpecFolder(dir, (p) => {
    const rel = relative(process.cwd(), p);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : p;
  });
}

export interface BuiltApp {
  platform: PlatformStack;
  /** One stack per project, by project id. */
  projects: Map<string, ProjectStack>;
}

/** Adds the platform stack and one project stack per spec to `app` (and cdk-nag unless disabled). */
export function buildApp(app: App, specs: LoadedSpec[], settings: AppSettings): BuiltApp {
  const env = { ...(settings.account ? { account: settings.account } : {}), region: settings.region };
  const platform = new PlatformStack(app, PLATFORM_STACK_NAME, {
    env,
    description: 'milepost: shared platform (table, documents, functions, HTTP API, email, alarms)',
    senderEmail: settings.senderEmail,
    mspName: settings.mspName,
    ...(settings.deliveryManagerEmail ? { deliveryManagerEmail: settings.deliveryManagerEmail } : {}),
    signIn: {
      // Managed login domains are unique per region: the account id keeps this one apart.
      domainPrefix: settings.authDomainPrefix ?? `milepost-${settings.account ?? 'console'}`,
      mfa: settings.mfa ?? 'optional',
      ...(settings.federation ? { federation: settings.federation } : {}),
    },
    ...(settings.tableName ? { existingTableName: settings.tableName } : {}),
    ...(settings.httpReservedConcurrency !== undefined
      ? { httpReservedConcurrency: settings.httpReservedConcurrency }
      : {}),
    ...(settings.approvalsReservedConcurrency !== undefined
      ? { approvalsReservedConcurrency: settings.approvalsReservedConcurrency }
      : {}),
    ...(settings.timeZone ? { timeZone: settings.timeZone } : {}),
    ...(settings.webhook ? { webhook: settings.webhook } : {}),
  });
  const projects = new Map<string, ProjectStack>();
  for (const loaded of specs) {
    const stack = new ProjectStack(app, projectStackName(loaded.spec.id), {
      env,
      description: projectStackDescription(loaded),
      loaded,
      platformStackName: platform.stackName,
    });
    stack.addStackDependency(platform);
    projects.set(loaded.spec.id, stack);
  }
  if (settings.pipeline) {
    new PipelineStack(app, PIPELINE_STACK_NAME, {
      env,
      description: `milepost: deploy pipeline roles for GitHub Actions (${settings.pipeline.repository})`,
      ...settings.pipeline,
    });
  }
  if (settings.nag !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { platform, projects };
}
