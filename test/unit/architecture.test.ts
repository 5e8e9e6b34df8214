/**
 * The dependency rules of the layout (README, "Repository layout"), read from the source's own
 * import statements, and the rule that stage behaviour has one home: outside
 * `functions/core/stages/` and the spec defaults, no source compares a stage key with a literal.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STANDARD_STAGE_KEYS } from '../../functions/core/stages/index.js';

const ROOT = process.cwd();
const SOURCE_DIRS = ['functions', 'statemachines', 'infra', 'local', 'cli', 'bench'];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|js)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const files = SOURCE_DIRS.flatMap((d) => sourceFiles(join(ROOT, d))).map((f) => relative(ROOT, f));

/** Subpath imports of package.json (`#core/*` ...) to their folders. */
const SUBPATHS: Record<string, string> = Object.fromEntries(
  Object.entries(
    (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { imports?: Record<string, string> })
      .imports ?? {},
  ).map(([k, v]) => [k.replace(/\*$/, ''), normalize(v.replace(/\*$/, ''))]),
);

/** What a file imports: repository paths for local modules, package names for the rest. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = new Set<string>();
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const m of text.matchAll(pattern)) specifiers.add(m[1]!);
  return [...specifiers].map((s) => {
    if (s.startsWith('.')) return normalize(join(dirname(file), s));
    for (const [prefix, folder] of Object.entries(SUBPATHS)) {
      if (s.startsWith(prefix)) return normalize(join(folder, s.slice(prefix.length)));
    }
    return s;
  });
}

/** The repository files a file imports at run time (`import type` and `export type` are erased). */
function runtimeImportsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8').replace(/\b(?:import|export)\s+type\s[^;]*;/g, '');
  const out = new Set<string>();
  for (const m of text.matchAll(
    /\b(?:import|export)\s[^'"`;]*?\sfrom\s*['"](\.[^'"]+)['"]|\bimport\s*['"](\.[^'"]+)['"]/g,
  )) {
    const target = normalize(join(dirname(file), (m[1] ?? m[2])!)).replace(/\.js$/, '.ts');
    if (files.includes(target)) out.add(target);
  }
  return [...out];
}

/** Groups of files that import each other at run time, directly or through others (Tarjan). */
function importCycles(): string[][] {
  const graph = new Map(files.map((f) => [f, runtimeImportsOf(f)]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || graph.get(v)?.includes(v)) cycles.push(group.sort());
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return cycles;
}

const under = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);
const isAwsOrCdk = (spec: string) =>
  spec.startsWith('@aws-sdk/') ||
  spec === 'aws-cdk-lib' ||
  spec.startsWith('aws-cdk-lib/') ||
  spec === 'constructs' ||
  spec === 'cdk-nag';

interface Rule {
  name: string;
  from: (file: string) => boolean;
  forbidden: (target: string) => boolean;
}

const RULES: Rule[] = [
  {
    name: 'functions/core imports no AWS SDK, CDK, adapters, handlers, HTTP layer, composition, local/ or infra/',
    from: (f) => under(f, 'functions/core'),
    forbidden: (t) =>
      isAwsOrCdk(t) ||
      ['functions/adapters', 'functions/handlers', 'functions/http', 'functions/api', 'local', 'infra'].some(
        (d) => under(t, d),
      ) ||
      t.startsWith('functions/composition'),
  },
  {
    name: 'handlers import no infra/ or local/',
    from: (f) => under(f, 'functions/handlers'),
    forbidden: (t) => under(t, 'infra') || under(t, 'local'),
  },
  {
    name: 'statemachines/ imports no infra/ or local/',
    from: (f) => under(f, 'statemachines'),
    forbidden: (t) => under(t, 'infra') || under(t, 'local'),
  },
  {
    name: 'nothing under functions/ imports local/',
    from: (f) => under(f, 'functions'),
    forbidden: (t) => under(t, 'local'),
  },
  {
    name: 'local/ imports no use case directly',
    from: (f) => under(f, 'local'),
    forbidden: (t) => under(t, 'functions/core/use-cases'),
  },
];

describe('import rules', () => {
  it('reads the imports of every source file', () => {
    expect(files.length).toBeGreaterThan(50);
    // The reader sees the imports it checks (a broken pattern would make every rule pass).
    expect(importsOf('functions/composition/store.ts')).toContain('@aws-sdk/client-dynamodb');
    expect(importsOf('infra/app.ts').some((t) => under(t, 'infra'))).toBe(true);
  });

  for (const rule of RULES) {
    it(rule.name, () => {
      const broken = files.filter(rule.from).flatMap((f) =>
        importsOf(f)
          .filter(rule.forbidden)
          .map((t) => `${f} -> ${t}`),
      );
      expect(broken).toEqual([]);
    });
  }
});

describe('import cycles', () => {
  it('has none at run time (a cycle evaluates one module before what it needs is initialized)', () => {
    expect(importCycles()).toEqual([]);
  });

  it('sees a run-time import and ignores a type-only one', () => {
    expect(runtimeImportsOf('functions/composition/store.ts')).toContain(
      'functions/adapters/dynamo-store.ts',
    );
    expect(runtimeImportsOf('functions/core/model.ts')).toEqual([]);
  });
});

describe('stage keys', () => {
  const keys = STANDARD_STAGE_KEYS.join('|');
  // A comparison or a switch case on a standard stage key, or a constant naming one.
  const literal = new RegExp(
    [
      `(===|!==|==|!=)\\s*['"\`](${keys})['"\`]`,
      `['"\`](${keys})['"\`]\\s*(===|!==|==|!=)`,
      `\\bcase\\s+['"\`](${keys})['"\`]\\s*:`,
      `\\b[A-Z_]*STAGE[A-Z_]*\\s*=\\s*['"\`](${keys})['"\`]`,
    ].join('|'),
  );
  // Entity names share two words with stage keys ('risk'): a comparison on an entity is not one on a stage.
  const entityComparison = /\bentity\s*(===|!==)|['"]\s*(===|!==)\s*\w*\.?entity\b/;
  const allowed = (f: string) =>
    under(f, 'functions/core/stages') || f === 'functions/core/spec/lifecycle.ts';

  it('are compared with literals only in functions/core/stages/ and the spec defaults', () => {
    const found: string[] = [];
    for (const f of files.filter((x) => !allowed(x))) {
      readFileSync(join(ROOT, f), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (literal.test(line) && !entityComparison.test(line)) found.push(`${f}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });

  it('would find such a comparison', () => {
    expect(literal.test(`if (stage.key === 'support') {`)).toBe(true);
    expect(literal.test(`  case 'qa':`)).toBe(true);
    expect(literal.test(`export const PLAN_STAGE = 'risk';`)).toBe(true);
    expect(literal.test(`if (stage.key === custom) {`)).toBe(false);
  });
});

describe('error names', () => {
  /** `class X extends ...Error {` and the class body up to the next class or the end. */
  const unnamed = (source: string): string[] =>
    [...source.matchAll(/class (\w+) extends \w*Error\b[^{]*\{/g)]
      .filter((m) => {
        const body = source.slice(m.index + m[0].length).split(/\nexport class |\nclass /)[0] ?? '';
        // Named by a literal: a field, or an assignment in the constructor.
        return !/(override name = |this\.name = )(['"]\w+['"]|[A-Z_]+\b)/.test(body);
      })
      .map((m) => m[1] as string);

  it('are literals in every error class of functions/ (the bundler shortens class names)', () => {
    const found = files
      .filter((f) => under(f, 'functions'))
      .flatMap((f) => unnamed(readFileSync(join(ROOT, f), 'utf8')).map((c) => `${f}: ${c}`));
    expect(found).toEqual([]);
  });

  it('would find an error class that takes its name from its class', () => {
    expect(unnamed('export class GoneError extends MilepostError {}\n')).toEqual(['GoneError']);
    expect(
      unnamed("export class GoneError extends MilepostError {\n  override name = 'GoneError';\n}\n"),
    ).toEqual([]);
  });
});
