import type { Logger } from '../core/ports.js';

/** Field names that must never reach a log line; their values are replaced, at any depth. */
const SECRET_FIELDS = /token|linkid|linkhash|secret|password|csrf|nonce|authorization|cookie|credential/i;
/** Nesting kept in a log line; deeper values are cut (and cycles cannot loop). */
const MAX_DEPTH = 6;

function scrubValue(value: unknown, depth: number): unknown {
  if (value instanceof Error) return { error: value.name };
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[nested]';
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = SECRET_FIELDS.test(k) ? '[redacted]' : scrubValue(v, depth + 1);
  return out;
}

function scrub(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!fields) return undefined;
  return scrubValue(fields, 0) as Record<string, unknown>;
}

/**
 * One JSON object per line on stdout/stderr (CloudWatch Logs in AWS). Secret-looking fields are
 * redacted at any depth, and an Error passed as a value is logged by its name only (SDK and store
 * messages may quote keys or values).
 */
export function jsonLogger(
  base: Record<string, unknown> = {},
  sink: (line: string) => void = (l) => console.log(l),
): Logger {
  const write = (level: string, message: string, fields?: Record<string, unknown>) =>
    sink(JSON.stringify({ level, time: new Date().toISOString(), message, ...base, ...scrub(fields) }));
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}
