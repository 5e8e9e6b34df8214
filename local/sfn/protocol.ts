/**
 * The AWS JSON 1.0 protocol of Step Functions (`X-Amz-Target: AWSStepFunctions.<Op>`), so an
 * SFNClient with `endpoint` set works unchanged: each target's body is validated with zod, the
 * operation runs on the local service, and errors come back in the AWS shape (`__type`,
 * `x-amzn-errortype`) so the SDK raises its own exception classes.
 *
 * Targets: StartExecution, SendTaskSuccess, SendTaskFailure, DescribeExecution, ListExecutions,
 * StopExecution.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import * as z from 'zod';
import { listenLocal } from '../listen.js';
import type { LocalExecution } from './history.js';

/** An error in the shape of the AWS JSON protocol: `code` is the exception name the SDK maps. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'AwsError';
  }
}

/** What the protocol needs of the service; its methods throw AwsError. */
export interface SfnOperations {
  startExecution(stateMachineArn: string, name: string, input: string): LocalExecution;
  sendTaskSuccess(taskToken: string, output: string): void;
  sendTaskFailure(taskToken: string, error?: string, cause?: string): void;
  stopExecution(executionArn: string, error?: string, cause?: string): LocalExecution;
  describe(executionArn: string): LocalExecution;
  /** Every execution known. */
  listExecutions(): LocalExecution[];
  /** Clock time (epoch ms). */
  now(): number;
}

const startSchema = z.object({
  stateMachineArn: z.string().min(1),
  name: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,80}$/)
    .optional(),
  input: z.string().optional(),
});
const successSchema = z.object({ taskToken: z.string().min(1), output: z.string() });
const failureSchema = z.object({
  taskToken: z.string().min(1),
  error: z.string().optional(),
  cause: z.string().optional(),
});
const describeSchema = z.object({ executionArn: z.string().min(1) });
const stopSchema = z.object({
  executionArn: z.string(),
  error: z.string().optional(),
  cause: z.string().optional(),
});
const listSchema = z.object({
  stateMachineArn: z.string().min(1),
  statusFilter: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']).optional(),
  maxResults: z.number().int().min(0).max(1000).optional(),
  nextToken: z.string().optional(),
});

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);
const summary = (e: LocalExecution) => ({
  executionArn: e.executionArn,
  stateMachineArn: e.stateMachineArn,
  name: e.name,
  status: e.status,
  startDate: seconds(e.startDate),
  stopDate: seconds(e.stopDate),
});

/** Runs one target with its JSON body; throws AwsError, z.ZodError. */
export function operation(service: SfnOperations, op: string, body: unknown): unknown {
  switch (op) {
    case 'StartExecution': {
      const b = startSchema.parse(body);
      const e = service.startExecution(
        b.stateMachineArn,
        b.name ?? randomBytes(16).toString('hex'),
        b.input ?? '{}',
      );
      return { executionArn: e.executionArn, startDate: seconds(e.startDate) };
    }
    case 'SendTaskSuccess': {
      const b = successSchema.parse(body);
      service.sendTaskSuccess(b.taskToken, b.output);
      return {};
    }
    case 'SendTaskFailure': {
      const b = failureSchema.parse(body);
      service.sendTaskFailure(b.taskToken, b.error, b.cause);
      return {};
    }
    case 'DescribeExecution': {
      const e = service.describe(describeSchema.parse(body).executionArn);
      return { ...summary(e), input: e.input, output: e.output, error: e.error, cause: e.cause };
    }
    case 'StopExecution': {
      const b = stopSchema.parse(body);
      const e = service.stopExecution(b.executionArn, b.error, b.cause);
      return { stopDate: seconds(e.stopDate ?? service.now()) };
    }
    case 'ListExecutions': {
      const b = listSchema.parse(body);
      const all = service
        .listExecutions()
        .filter(
          (e) => e.stateMachineArn === b.stateMachineArn && (!b.statusFilter || e.status === b.statusFilter),
        )
        .sort((a, c) => c.startDate - a.startDate);
      const from = b.nextToken ? Number(b.nextToken) : 0;
      const size = b.maxResults || 100;
      const page = all.slice(from, from + size);
      return {
        executions: page.map(summary),
        ...(from + size < all.length ? { nextToken: String(from + size) } : {}),
      };
    }
    default:
      throw new AwsError('UnknownOperationException', `unsupported operation ${op || '(none)'}`);
  }
}

function reply(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(JSON.stringify(body));
}

async function handle(service: SfnOperations, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const target = String(req.headers['x-amz-target'] ?? '');
  const op = target.startsWith('AWSStepFunctions.') ? target.slice('AWSStepFunctions.'.length) : '';
  try {
    if (req.method !== 'POST') throw new AwsError('UnknownOperationException', 'POST only', 404);
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    reply(res, 200, operation(service, op, body));
  } catch (err) {
    if (err instanceof AwsError) {
      reply(res, err.status, { __type: err.code, message: err.message }, err.code);
    } else if (err instanceof z.ZodError || err instanceof SyntaxError) {
      reply(res, 400, { __type: 'ValidationException', message: 'invalid request' }, 'ValidationException');
    } else {
      reply(res, 500, { __type: 'InternalFailure', message: 'internal error' }, 'InternalFailure');
    }
  }
}

/** The endpoint on 127.0.0.1. */
export interface ProtocolServer {
  /** The port it listens on (read from its socket). */
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `service` over the AWS JSON protocol on 127.0.0.1:`port` (0: a port the system picks as
 * it binds). A port that cannot be bound is a LocalRuntimeError naming it.
 */
export async function serveProtocol(service: SfnOperations, port: number): Promise<ProtocolServer> {
  const server: Server = createServer((req, res) => void handle(service, req, res));
  const bound = await listenLocal(server, port, 'local Step Functions endpoint');
  return {
    port: bound,
    close: () =>
      new Promise<void>((res) => {
        server.close(() => res());
        server.closeAllConnections();
      }),
  };
}
