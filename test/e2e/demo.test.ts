import { describe, expect, it } from 'vitest';
import { runDemo } from '../../local/demo.js';

describe('npm run demo', () => {
  it('walks the example project from initiation to close with a rejection and an escalation', async () => {
    const lines: string[] = [];
    const result = await runDemo({ print: (l) => lines.push(l) });

    expect(result.status).toBe('closed');
    expect(result.stages.map((s) => s.key)).toEqual([
      'initiation',
      'resourcing',
      'risk',
      'execution',
      'qa',
      'deployment',
      'support',
    ]);
    for (const s of result.stages) {
      expect(s.startedAt, s.key).toBeDefined();
      expect(s.completedAt, s.key).toBeDefined();
      expect(Date.parse(s.completedAt!)).toBeGreaterThanOrEqual(Date.parse(s.startedAt!));
    }
    // Stages run one after the other.
    for (let i = 1; i < result.stages.length; i++) {
      expect(Date.parse(result.stages[i]!.startedAt!)).toBeGreaterThanOrEqual(
        Date.parse(result.stages[i - 1]!.completedAt!),
      );
    }
    expect(result.stages.find((s) => s.key === 'initiation')!.approvedBy).toEqual(['Dr Amara Okafor']);
    expect(result.stages.find((s) => s.key === 'qa')!.approvedBy).toEqual(['Jenny Price']);
    expect(result.stages.find((s) => s.key === 'resourcing')!.approvedBy).toEqual([]);
    expect(result.rejected).toEqual(['execution']);
    expect(result.escalated).toEqual(['risk']);
    expect(result.transitions).toBeGreaterThan(result.stages.length * 3);
    expect(lines.at(-1)).toBe(
      `demo: brightsmile-m365 closed, 7 stages, ${result.transitions} state transitions`,
    );
    expect(lines.some((l) => /^Risk Assessment & Mitigation\s+\S.*Dr Amara Okafor$/.test(l))).toBe(true);
  }, 120_000);
});
