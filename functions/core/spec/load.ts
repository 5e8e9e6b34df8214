/**
 * Reads project spec files: YAML -> zod -> cross-field checks, with every error located by
 * file, line and field path (`projects/acme.yaml:14 stakeholders[1].email: invalid email`).
 * Also the one discovery of a folder's spec files, used by `cdk synth`, the local runtime and the CLI.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml';
import { formatPath } from './field-path.js';
import {
  checkSpec,
  type ProjectSpec,
  projectSpecSchema,
  type ResolvedStage,
  resolveStages,
  type SpecIssue,
} from './schema.js';

export interface SpecError {
  file: string;
  line: number;
  /** Field path such as `stakeholders[1].email`; empty for the whole document. */
  field: string;
  message: string;
}

/** A spec file that failed to load; `errors` lists every problem, each with file, line and field. */
export class SpecValidationError extends Error {
  readonly errors: SpecError[];
  constructor(errors: SpecError[]) {
    super(errors.map(formatSpecError).join('\n'));
    this.name = 'SpecValidationError';
    this.errors = errors;
  }
}

export interface LoadedSpec {
  file: string;
  spec: ProjectSpec;
  stages: ResolvedStage[];
}

export function formatSpecError(e: SpecError): string {
  return `${e.file}:${e.line}${e.field ? ` ${e.field}` : ''}: ${e.message}`;
}

export { formatPath };

/** Parses and validates spec text. Throws SpecValidationError listing every error. */
export function parseSpec(source: string, file: string): LoadedSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new SpecValidationError(
      doc.errors.map((e) => ({
        file,
        line: lineCounter.linePos(e.pos[0]).line,
        field: '',
        message: `YAML: ${e.message.split('\n')[0]}`,
      })),
    );
  }
  const lineOf = (path: readonly PropertyKey[]): number => {
    // The deepest node that exists on the path: a missing field is reported at its parent.
    // A field is located by its key (`customer:`), not by its value, which may start a line later.
    for (let n = path.length; n >= 0; n--) {
      const sub = path.slice(0, n) as (string | number)[];
      const last = sub[sub.length - 1];
      if (typeof last === 'string') {
        const parent = doc.getIn(sub.slice(0, -1), true);
        const pair = isMap(parent)
          ? parent.items.find((p) => isScalar(p.key) && p.key.value === last)
          : undefined;
        if (pair && isNode(pair.key) && pair.key.range) return lineCounter.linePos(pair.key.range[0]).line;
      }
      const node = doc.getIn(sub, true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return 1;
  };
  const raw: unknown = doc.toJS();
  const parsed = projectSpecSchema.safeParse(raw ?? {});
  const toError = (path: readonly PropertyKey[], message: string): SpecError => ({
    file,
    line: lineOf(path),
    field: formatPath(path),
    message,
  });
  if (!parsed.success) {
    const fieldErrors = parsed.error.issues.flatMap((i) =>
      // One error per unknown field, at the field's own line.
      i.code === 'unrecognized_keys'
        ? i.keys.map((key) => toError([...i.path, key], 'unknown field'))
        : [toError(i.path, issueMessage(i))],
    );
    // Cross-field errors too, so one run lists every problem of the file; a check about a field
    // that already has a field error is not repeated.
    const reported = new Set(fieldErrors.map((e) => e.field));
    const crossErrors = checkSpecLeniently(raw)
      .map((i) => toError(i.path, i.message))
      .filter((e) => !reported.has(e.field));
    throw new SpecValidationError([...fieldErrors, ...crossErrors].sort((a, b) => a.line - b.line));
  }
  const issues = checkSpec(parsed.data);
  if (issues.length > 0) throw new SpecValidationError(issues.map((i) => toError(i.path, i.message)));
  return { file, spec: parsed.data, stages: resolveStages(parsed.data) };
}

/**
 * Cross-field checks on a document that failed field validation: lists that are missing or of
 * the wrong type count as empty; a check that cannot run on the data as it is is left out.
 */
function checkSpecLeniently(raw: unknown): SpecIssue[] {
  if (!raw || typeof raw !== 'object') return [];
  const r = raw as Record<string, unknown>;
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x) => x && typeof x === 'object') : []);
  const timeline = (r.timeline && typeof r.timeline === 'object' ? r.timeline : {}) as Record<
    string,
    unknown
  >;
  const view = {
    ...r,
    timeline: { start: String(timeline.start ?? ''), end: String(timeline.end ?? '') },
    deliverables: list(r.deliverables),
    risks: list(r.risks),
    stakeholders: list(r.stakeholders).filter((s) => typeof s.email === 'string'),
    team: list(r.team).filter((m) => typeof m.email === 'string'),
    stages: Array.isArray(r.stages) ? list(r.stages) : undefined,
  } as unknown as ProjectSpec;
  try {
    return checkSpec(view).filter(
      (i) => !(i.path[0] === 'timeline' && (!view.timeline.start || !view.timeline.end)),
    );
  } catch {
    return [];
  }
}

function issueMessage(issue: {
  code: string;
  message: string;
  path: PropertyKey[];
  keys?: string[];
}): string {
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return 'is required';
  if (issue.code === 'unrecognized_keys' && issue.keys) return `unknown field(s): ${issue.keys.join(', ')}`;
  return issue.message;
}

/** Reads and validates one spec file. `display` is the name used in errors (defaults to the path). */
export async function loadSpecFile(path: string, display = path): Promise<LoadedSpec> {
  const source = await readFile(path, 'utf8');
  return parseSpec(source, display);
}

/**
 * Loads many spec files, collecting the errors of all of them, and checks that project ids are
 * unique across files. Throws one SpecValidationError with every error when any file is invalid.
 */
export async function loadSpecFiles(
  paths: string[],
  display: (p: string) => string = (p) => p,
): Promise<LoadedSpec[]> {
  const loaded: LoadedSpec[] = [];
  const errors: SpecError[] = [];
  for (const p of paths) {
    try {
      loaded.push(await loadSpecFile(p, display(p)));
    } catch (e) {
      if (e instanceof SpecValidationError) errors.push(...e.errors);
      else throw e;
    }
  }
  const seen = new Map<string, string>();
  for (const l of loaded) {
    const other = seen.get(l.spec.id);
    if (other)
      errors.push({
        file: l.file,
        line: 1,
        field: 'id',
        message: `project id "${l.spec.id}" is also used by ${other}`,
      });
    seen.set(l.spec.id, l.file);
  }
  if (errors.length > 0) throw new SpecValidationError(errors);
  return loaded;
}

/** The folder given for the project specs is missing or not a folder. */
export class SpecFolderError extends Error {
  constructor(
    readonly dir: string,
    options?: { cause?: unknown },
  ) {
    super(`no projects folder at ${dir}`, options);
    this.name = 'SpecFolderError';
  }
}

/** Whether a file name is a spec file (`*.yaml`, `*.yml`). */
export function isSpecFileName(name: string): boolean {
  return /\.ya?ml$/.test(name);
}

/**
 * The spec files of a folder (`*.yaml`, `*.yml`), sorted by name, each joined to `dir`.
 * Throws SpecFolderError when `dir` is not a folder that can be read.
 */
export async function specFilesIn(dir: string): Promise<string[]> {
  let names: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a folder');
    names = await readdir(dir);
  } catch (cause) {
    throw new SpecFolderError(dir, { cause });
  }
  return names
    .filter(isSpecFileName)
    .sort()
    .map((name) => join(dir, name));
}

/**
 * Loads every spec file of a folder (`specFilesIn` then `loadSpecFiles`): SpecFolderError when
 * the folder is missing, one SpecValidationError listing every error of every file otherwise.
 * `display` names the files in errors (default: the path as joined to `dir`).
 */
export async function loadSpecFolder(
  dir: string,
  display: (p: string) => string = (p) => p,
): Promise<LoadedSpec[]> {
  return loadSpecFiles(await specFilesIn(dir), display);
}
