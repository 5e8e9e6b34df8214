/** Which gate a write of the criteria's records commits with it (gate-guard.ts). */
import { describe, expect, it } from 'vitest';
import { currentGateRef, gateGuard } from '../../functions/core/gate-guard.js';
import type { GateStatus } from '../../functions/core/model.js';
import { makeGate } from '../support/dynamo.js';

const project = { id: 'acme-m365', currentStage: 'qa', status: 'active' as const };

describe('gateGuard', () => {
  it.each<[GateStatus, 'all' | 'auto', number]>([
    ['waiting', 'all', 1],
    ['waiting', 'auto', 1],
    ['pending_approval', 'all', 1],
    ['approved', 'all', 0],
    ['approved', 'auto', 0],
    ['rejected', 'all', 0],
  ])('a current gate %s (rule %s): %i gate committed', (status, rule, count) => {
    const gate = makeGate({ stage: 'qa', status, rule, version: 4 });
    const guard = gateGuard(project, gate);
    expect(guard).toHaveLength(count);
    // Committed as read: the store's version check is what serialises the write with the gate's steps.
    if (count) expect(guard[0]).toBe(gate);
  });

  it('commits no gate of another stage, of another project, of a project not active, or none read', () => {
    expect(gateGuard(project, makeGate({ stage: 'initiation', status: 'waiting' }))).toEqual([]);
    expect(gateGuard(project, makeGate({ projectId: 'other', stage: 'qa', status: 'waiting' }))).toEqual([]);
    expect(gateGuard({ ...project, status: 'closed' as const }, makeGate({ stage: 'qa' }))).toEqual([]);
    expect(gateGuard(project, undefined)).toEqual([]);
  });

  it('reads the current stage gate', () => {
    expect(currentGateRef(project)).toEqual({ entity: 'gate', projectId: 'acme-m365', id: 'qa' });
  });
});
