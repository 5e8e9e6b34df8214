/**
 * zod/mini sets no locale (classic zod sets English when it is imported): without one, every issue
 * reads "Invalid input". Every module that builds schemas with zod/mini imports
 * functions/core/zod-english.ts, checked in the source and in a process that never loads classic.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = process.cwd();
const ENGLISH = 'functions/core/zod-english.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [relative(ROOT, path)] : [];
  });
}

describe("zod/mini's English messages", () => {
  it('are set by every module that builds schemas with zod/mini', () => {
    const users = ['functions', 'cli']
      .flatMap((d) => sourceFiles(join(ROOT, d)))
      .filter((file) => {
        return /from 'zod\/mini'/.test(readFileSync(join(ROOT, file), 'utf8'));
      });
    // The spec, the stored records, the workflow contract, the environment, the events...
    expect(users.length).toBeGreaterThan(10);
    for (const file of users.filter((f) => f !== ENGLISH)) {
      let rel = relative(dirname(file), ENGLISH).replace(/\.ts$/, '.js');
      if (!rel.startsWith('.')) rel = `./${rel}`;
      expect(readFileSync(join(ROOT, file), 'utf8'), file).toContain(`import '${rel}';`);
    }
  });

  it('name the expected and received types where classic zod is never loaded', () => {
    const script = `
      const { lifecycleEventSchema } = await import('./functions/core/workflow-contract.ts');
      const r = lifecycleEventSchema.safeParse({ action: 'openGate', projectId: 5, stage: 'qa' });
      process.stdout.write(JSON.stringify(r.error.issues.map((i) => [i.path.join('.'), i.message])));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([
      ['projectId', 'Invalid input: expected string, received number'],
      ['taskToken', 'Invalid input: expected string, received undefined'],
    ]);
  });
});
