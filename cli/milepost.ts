/**
 * The `milepost` command.
 *
 *   milepost validate <paths...>   check project specs, files or folders (`<file>: ok` or `file:line field: message`)
 *   milepost schema                print the JSON Schema of a project spec
 *   milepost dev [options]         run everything on this machine (npm start)
 *   milepost demo [--port N]       walk an example project from initiation to close (npm run demo)
 *   milepost projects | show | events | task | risk | member | resource | ... | submit | outbox
 *                                  the staff API from a terminal (staff/commands.ts), locally or in
 *                                  AWS (--endpoint URL, or --stack [NAME] with SigV4 signing)
 *
 * Every failure is one clear line on stderr (one per spec error) and exit code 1, never a stack
 * trace (set MILEPOST_DEBUG=1 to see one). The local runtime is imported only by the commands that
 * need it, so `validate` starts fast.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { formatSpecError, SpecValidationError } from '../functions/core/spec/load.js';
import { isKnownTimeZone } from '../functions/core/time.js';
import { projectJsonSchemaText } from './schema.js';
import { addStaffCommands } from './staff/commands.js';
import { wantsColor } from './staff/format.js';
import { validateFiles } from './validate.js';

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535)
    throw new InvalidArgumentError('must be a port number 1-65535');
  return n;
}

function parseWebhookKind(value: string): 'teams' | 'slack' {
  if (value !== 'teams' && value !== 'slack') throw new InvalidArgumentError('must be teams or slack');
  return value;
}

function parseTimeZone(value: string): string {
  if (!isKnownTimeZone(value))
    throw new InvalidArgumentError('must be an IANA time zone such as Europe/London');
  return value;
}

function parseFactor(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 1) throw new InvalidArgumentError('must be a number >= 1');
  return n;
}

function parseEmail(value: string): string {
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) throw new InvalidArgumentError('must be an email address');
  return value.toLowerCase();
}

/**
 * A folder the user typed is relative to where they typed it: `npm start -- --projects ./specs`
 * runs in the package folder, but npm keeps the caller's folder in INIT_CWD. Defaults stay
 * relative to the package folder.
 */
function userPath(command: Command, option: string, value: string): string {
  if (command.getOptionValueSource(option) !== 'cli') return value;
  return resolve(process.env['INIT_CWD'] ?? process.cwd(), value);
}

/** Prints an error as one line (or one line per spec error) on stderr. */
function reportError(e: unknown, write: (line: string) => void = (l) => console.error(l)): void {
  if (e instanceof SpecValidationError) {
    for (const err of e.errors) write(formatSpecError(err));
    write(
      'milepost: fix the spec errors above (`npx milepost validate <files>` checks them) and start again',
    );
    return;
  }
  const message = e instanceof Error ? e.message : String(e);
  write(`milepost: ${message.split('\n')[0]}`);
  if (process.env['MILEPOST_DEBUG'] && e instanceof Error && e.stack) write(e.stack);
}

/** The package's version, for `--version` and the staff API's user agent. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function buildProgram(): Command {
  const version = packageVersion();
  const program = new Command()
    .name('milepost')
    .description("Run an MSP's IT projects as serverless workflows in your own AWS account")
    .version(version, '-V, --version', 'print the version of milepost')
    // Options after a command name belong to that command: `task ... --version N` is the record's version.
    .enablePositionalOptions()
    .showSuggestionAfterError();

  program
    .command('validate')
    .description('check project spec files; prints "<file>: ok" or every error as file:line field: message')
    .argument('<paths...>', 'spec files (projects/*.yaml) or folders of them (projects)')
    .action(async (files: string[]) => {
      const result = await validateFiles(files, {
        ok: (l) => console.log(l),
        error: (l) => console.error(l),
      });
      if (result.errors.length > 0) process.exitCode = 1;
    });

  program
    .command('schema')
    .description('print the JSON Schema of a project spec (for editors)')
    .action(() => {
      process.stdout.write(projectJsonSchemaText());
    });

  program
    .command('dev')
    .description('run milepost on this machine: DynamoDB Local, local email, local workflows, dashboard')
    .option('--projects <dir>', 'folder with the project spec files', 'projects')
    .option('--port <n>', 'HTTP port on 127.0.0.1', parsePort, 8080)
    .option('--data <dir>', 'folder that keeps the local data', '.milepost')
    .option('--in-memory', 'keep nothing on disk', false)
    .option(
      '--time-factor <n>',
      'run the clock N times faster (gate timeouts, support period, schedules); default 1 or $MILEPOST_TIME_FACTOR',
      parseFactor,
    )
    .option(
      '--delivery-manager <email>',
      'the MSP’s delivery manager: the daily portfolio digest and budget threshold alerts',
      parseEmail,
    )
    .option(
      '--webhook <kind>',
      'the platform’s chat channel for staff alerts, teams or slack (posts are kept in the outbox)',
      parseWebhookKind,
    )
    .option('--timezone <zone>', 'the platform’s time zone: the digest’s day (default UTC)', parseTimeZone)
    .action(
      async (
        opts: {
          projects: string;
          port: number;
          data: string;
          inMemory: boolean;
          timeFactor?: number;
          deliveryManager?: string;
          webhook?: 'teams' | 'slack';
          timezone?: string;
        },
        command: Command,
      ) => {
        quietSdk();
        const { runDev } = await import('../local/dev.js');
        await runDev({
          projectsDir: userPath(command, 'projects', opts.projects),
          port: opts.port,
          dataDir: userPath(command, 'data', opts.data),
          inMemory: opts.inMemory,
          ...(opts.timeFactor ? { timeFactor: opts.timeFactor } : {}),
          ...(opts.deliveryManager ? { deliveryManagerEmail: opts.deliveryManager } : {}),
          ...(opts.webhook ? { webhook: opts.webhook } : {}),
          ...(opts.timezone ? { timezone: opts.timezone } : {}),
        });
        await exitWhenFlushed(0);
      },
    );

  program
    .command('demo')
    .description('walk an example project from initiation to close, in memory, with an accelerated clock')
    .option('--port <n>', 'HTTP port on 127.0.0.1 (default: a free port)', parsePort)
    .action(async (opts: { port?: number }) => {
      quietSdk();
      const { runDemo } = await import('../local/demo.js');
      await runDemo(opts.port === undefined ? {} : { port: opts.port });
      await exitWhenFlushed(0);
    });

  addStaffCommands(program, {
    out: (line) => process.stdout.write(`${line}\n`),
    color: wantsColor(process.stdout, process.env),
    userAgent: `milepost-cli/${version}`,
    writeBytes: (bytes) => process.stdout.write(bytes),
  });

  return program;
}

/**
 * Exits once stdout has taken everything written so far: a one-shot run must not hang on a timer
 * or socket that a library left open, nor lose its last lines on a pipe.
 */
async function exitWhenFlushed(code: number): Promise<never> {
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(code);
}

/** The AWS SDK warns about Node 20 on every client; the local runtime uses the SDK on purpose. */
function quietSdk(): void {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
}

async function main(argv: string[] = process.argv): Promise<void> {
  const fail = (e: unknown) => {
    reportError(e);
    process.exit(1);
  };
  // Errors after start-up (a server callback, a timer) also end as one line, not a stack trace.
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  // The staff commands use the SDK (credentials, CloudFormation) and must print only their answer.
  quietSdk();
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    fail(e);
  }
  // A one-shot command ends here, whatever idle connection a library keeps open.
  await exitWhenFlushed(typeof process.exitCode === 'number' ? process.exitCode : 0);
}

await main();
