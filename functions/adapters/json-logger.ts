import type { Logger } from '../core/ports.js';

/** Field names that must never reach a log line; their values are replaced. */
const SECRET_FIELDS = /token|linkid|secret|password|csrf/i;

function scrub(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!fields) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = SECRET_FIELDS.test(k) ? '[redacted]' : v;
  return out;
}

/** One JSON object per line on stdout/stderr (CloudWatch Logs in AWS). Secret-looking fields are redacted. */
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
