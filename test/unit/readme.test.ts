/**
 * README.md is followed literally by the people who deploy and use milepost: its internal links,
 * the repository files it names, the npm scripts, the CDK context keys and the HTTP routes it
 * shows must exist. These checks read the README and the code as text (or the route declarations),
 * so a rename that forgets the README fails here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TABLE } from '../../functions/adapters/table-definition.js';
import { gatewayRoutes } from '../../functions/http/routes.js';

const readme = readFileSync('README.md', 'utf8');
/** The README without its fenced code blocks (a `#` there is a comment, not a heading). */
const prose = readme.replace(/^```[\s\S]*?^```/gm, '');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
function headingAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*$/gm)) {
    const slug = (m[1] ?? '')
      .replace(/`/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

describe('README.md', () => {
  it('computes anchors as GitHub does (the helper itself)', () => {
    const anchors = headingAnchors('## Time, cost and budget burn\n## The `milepost` command\n## A\n## A\n');
    expect([...anchors]).toEqual(['time-cost-and-budget-burn', 'the-milepost-command', 'a', 'a-1']);
  });

  it('links only to headings that exist', () => {
    const anchors = headingAnchors(prose);
    const links = [...prose.matchAll(/\]\(#([^)\s]+)\)/g)].map((m) => m[1] ?? '');
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((a) => !anchors.has(a))).toEqual([]);
  });

  it('refers by name (see "...", and the alarms\' `README, "..."`) only to sections that exist', () => {
    // A heading, or a bold lead-in of a list item (`- **A gate waiting on approvers** ...`).
    const headings = new Set([
      ...[...prose.matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*$/gm)].map((m) => m[1] ?? ''),
      ...[...prose.matchAll(/^- \*\*([^*]+)\*\*/gm)].map((m) => m[1] ?? ''),
    ]);
    const infra = ['infra/platform-stack.ts', 'infra/project-stack.ts']
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const named = [
      ...[...prose.matchAll(/\b[Ss]ee "([^"]+)"/g)].map((m) => m[1] ?? ''),
      ...[...infra.matchAll(/README, "([^"]+)"(?:, "([^"]+)")?/g)].flatMap((m) => [
        m[1] ?? '',
        ...(m[2] ? [m[2]] : []),
      ]),
    ];
    expect(named.length).toBeGreaterThan(3);
    expect(named.map((h) => h.replace(/\s+/g, ' ')).filter((h) => !headings.has(h))).toEqual([]);
  });

  it('names only repository files and folders that exist', () => {
    const named = new Set<string>();
    for (const m of prose.matchAll(
      /`((?:functions|infra|statemachines|test|cli|local|bench|projects|\.github)\/[^`\s]*)`/g,
    )) {
      const path = (m[1] ?? '').replace(/[*{<].*$/, '');
      if (path) named.add(path);
    }
    for (const m of prose.matchAll(/\]\((?!#|[a-z]+:)([^)\s#]+)/g)) named.add(m[1] ?? '');
    expect(named.size).toBeGreaterThan(10);
    expect([...named].filter((p) => !existsSync(p))).toEqual([]);
  });

  it('runs only npm scripts that package.json has', () => {
    const scripts = Object.keys(
      (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts,
    );
    const used = new Set([...readme.matchAll(/npm run ([a-z][\w:-]*)/g)].map((m) => m[1] ?? ''));
    expect(used.size).toBeGreaterThan(0);
    expect([...used].filter((s) => !scripts.includes(s))).toEqual([]);
  });

  it('shows only CDK context keys the app reads', () => {
    const infra = ['infra/build-app.ts', 'infra/app.ts'].map((f) => readFileSync(f, 'utf8')).join('\n');
    const keys = new Set([...readme.matchAll(/milepost:([a-zA-Z]+)/g)].map((m) => m[1] ?? ''));
    expect(keys.size).toBeGreaterThan(5);
    expect([...keys].filter((k) => !infra.includes(`'milepost:${k}'`))).toEqual([]);
  });

  it("names the table's TTL attribute as the table has it (restoring turns TTL on by that name)", () => {
    const named = [...readme.matchAll(/AttributeName=(\w+)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((a) => a !== TABLE.ttlAttribute)).toEqual([]);
  });

  it('lists only HTTP routes that are declared', () => {
    const routes = readFileSync('functions/http/routes.ts', 'utf8');
    const declared = new Set(gatewayRoutes().map((r) => `${r.method} ${r.path}`));
    // Routes only the local runtime serves: declared in routes.ts but not on API Gateway, and /health.
    for (const m of routes.matchAll(/method: '(get|post)',\s*path: '([^']+)'/g)) {
      declared.add(`${(m[1] ?? '').toUpperCase()} ${m[2]}`);
    }
    declared.add('GET /health');
    const listed = [...readme.matchAll(/^\| `(GET|HEAD|POST|PUT|DELETE) (\/[^`?]*)/gm)]
      .map((m) => `${m[1]} ${m[2]}`)
      // Rows that stand for several routes (`{tasks,risks}`, `<segment>`) are read by people only.
      .filter((r) => !/[<,]/.test(r));
    expect(listed.length).toBeGreaterThan(20);
    expect(listed.filter((r) => !declared.has(r))).toEqual([]);
  });
});
