/**
 * A team member's removal serialised with assigning them a task or risk, on DynamoDB Local: an
 * assignment that commits between the removal's reads and its commit makes the removal read again
 * and refuse, naming the task; a removal that commits first leaves the assignment to land after
 * it (a name that is not a member, as assignees are free text). Assignments bump the project's
 * `assignments` counter, never the member's version.
 */
import { describe, expect, it } from 'vitest';
import { StateError } from '../../functions/core/errors.js';
import type { ProjectStore } from '../../functions/core/ports.js';
import { type ProjectSpecInput, resolveStages } from '../../functions/core/spec/schema.js';
import { registerProject } from '../../functions/core/use-cases/register-project.js';
import { removeProjectRecord } from '../../functions/core/use-cases/staff-remove-record.js';
import { upsertMember } from '../../functions/core/use-cases/staff-upsert-member.js';
import { upsertRisk } from '../../functions/core/use-cases/staff-upsert-risk.js';
import { upsertTask } from '../../functions/core/use-cases/staff-upsert-task.js';
import { makeProjectSpec } from '../support/dynamo.js';
import { countEvents, type LifecycleFixture, lifecycleFixture } from './lifecycle-support.js';

/** The project manager of the fixture's spec: a member who holds no open task or risk. */
const PM = 'pm@msp.example';
const ENGINEER = 'eng@msp.example';

async function member(f: LifecycleFixture) {
  return f.deps.store.get(f.projectId, 'member', PM);
}

async function assignments(f: LifecycleFixture): Promise<number> {
  const [counter] = await f.deps.store.getRecords([
    { entity: 'counter', projectId: f.projectId, counter: 'assignments' },
  ]);
  return counter?.value ?? -1;
}

/** The removal of the PM, with `between` run after its reads, before its (first) commit. */
async function removeWith(f: LifecycleFixture, between: () => Promise<unknown>) {
  const before = await member(f);
  let ran = false;
  const store = Object.create(f.deps.store) as ProjectStore;
  store.commit = async (changes, events, removals, options) => {
    if (!ran && removals?.length) {
      ran = true;
      await between();
    }
    return f.deps.store.commit(changes, events, removals, options);
  };
  const removal = removeProjectRecord(
    { ...f.deps, store },
    { projectId: f.projectId, entity: 'member', id: PM, version: before?.version, actor: ENGINEER },
  );
  return { removal, before, ran: () => ran };
}

describe('an assignment that commits between the removal read and its commit', () => {
  it('a new task assigned to the member (by name): the removal reads again and is refused, naming it', async () => {
    const f = await lifecycleFixture();
    const { removal, before, ran } = await removeWith(f, () =>
      upsertTask(f.deps, f.projectId, 'mx', { name: 'Lower MX TTL', assignee: 'priya shah' }, ENGINEER),
    );

    await expect(removal).rejects.toThrow(StateError);
    await expect(removal).rejects.toThrow(
      'team member pm@msp.example cannot be removed: they are the assignee or owner of task mx (todo): reassign or close it first',
    );
    expect(ran()).toBe(true);
    expect(await member(f)).toEqual(before);
    expect(await f.deps.store.get(f.projectId, 'task', 'mx')).toMatchObject({ assignee: 'priya shah' });
    expect(countEvents(await f.events(), 'member_removed')).toBe(0);
  });

  it('a risk given to the member (by email), and a done task of theirs opened again: refused, naming both', async () => {
    const f = await lifecycleFixture();
    await upsertTask(
      f.deps,
      f.projectId,
      'old',
      { name: 'Kick-off', assignee: PM, status: 'done' },
      ENGINEER,
    );
    const { removal, before } = await removeWith(f, async () => {
      await upsertRisk(f.deps, f.projectId, 'mfa-lockout', { owner: 'PM@msp.example', version: 1 }, ENGINEER);
      await upsertTask(f.deps, f.projectId, 'old', { status: 'in_progress', version: 1 }, ENGINEER);
    });

    await expect(removal).rejects.toThrow(
      /assignee or owner of task old \(in_progress\), risk mfa-lockout \(open\)/,
    );
    expect(await member(f)).toEqual(before);
  });
});

describe('a removal that commits between the assignment read and its commit', () => {
  it('lands first: the assignment lands after it, to a name that is no longer a member', async () => {
    const f = await lifecycleFixture();
    const version = (await member(f))?.version;
    let removed = false;
    const store = Object.create(f.deps.store) as ProjectStore;
    store.commit = async (changes, events, removals, options) => {
      if (!removed && changes.some((c) => c.entity === 'task')) {
        removed = true;
        await removeProjectRecord(f.deps, {
          projectId: f.projectId,
          entity: 'member',
          id: PM,
          version,
          actor: ENGINEER,
        });
      }
      return f.deps.store.commit(changes, events, removals, options);
    };

    await upsertTask(
      { ...f.deps, store },
      f.projectId,
      'mx',
      { name: 'Lower MX TTL', assignee: PM },
      ENGINEER,
    );

    expect(removed).toBe(true);
    expect(await member(f)).toBeUndefined();
    expect(await f.deps.store.get(f.projectId, 'task', 'mx')).toMatchObject({ assignee: PM, status: 'todo' });
    expect(countEvents(await f.events(), 'member_removed')).toBe(1);
  });
});

describe('removals and assignments sent at once', () => {
  it('never leave an open task or risk with a removed member, whatever commits first', async () => {
    const f = await lifecycleFixture();
    const version = (await member(f))?.version;
    // The order of events in this process: when the removal's last commit started, when each
    // assignment's commit had completed.
    let tick = 0;
    let removalStarted = -1;
    const assignedAt: number[] = [];
    const removalStore = Object.create(f.deps.store) as ProjectStore;
    removalStore.commit = (changes, events, removals, options) => {
      if (removals?.length) removalStarted = ++tick;
      return f.deps.store.commit(changes, events, removals, options);
    };
    const assignStore = Object.create(f.deps.store) as ProjectStore;
    assignStore.commit = async (changes, events, removals, options) => {
      const stored = await f.deps.store.commit(changes, events, removals, options);
      if (changes.some((c) => c.entity === 'task' || c.entity === 'risk')) assignedAt.push(++tick);
      return stored;
    };
    const assigning = { ...f.deps, store: assignStore };
    // The removal and four assignments to the member (by name and by email) race for real.
    const results = await Promise.allSettled([
      removeProjectRecord(
        { ...f.deps, store: removalStore },
        { projectId: f.projectId, entity: 'member', id: PM, version, actor: ENGINEER },
      ),
      upsertTask(assigning, f.projectId, 'a1', { name: 'One', assignee: 'Priya Shah' }, ENGINEER),
      upsertTask(assigning, f.projectId, 'a2', { name: 'Two', assignee: PM }, ENGINEER),
      upsertRisk(assigning, f.projectId, 'mfa-lockout', { owner: PM, version: 1 }, ENGINEER),
      upsertTask(assigning, f.projectId, 'a3', { name: 'Three', assignee: 'priya shah' }, ENGINEER),
    ]);
    // Every assignment lands (free text); the removal is refused, or it committed before all of
    // them: none had completed when its (last) commit started.
    expect(results.slice(1).map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect(assignedAt).toHaveLength(4);
    const removal = results[0];
    if (removal?.status === 'rejected') {
      expect(removal.reason).toBeInstanceOf(StateError);
      expect(await member(f)).toBeDefined();
    } else {
      expect(await member(f)).toBeUndefined();
      expect(assignedAt.filter((at) => at < removalStarted)).toEqual([]);
    }
  });
});

describe('the assignments counter', () => {
  it('is bumped by giving an open task or risk to someone, never by other writes; the member version stays', async () => {
    const f = await lifecycleFixture();
    const read = await member(f);
    const start = await assignments(f);

    await upsertTask(f.deps, f.projectId, 'mx', { name: 'Lower MX TTL', assignee: 'Priya Shah' }, ENGINEER);
    expect(await assignments(f)).toBe(start + 1);
    // Not an assignment: renamed, the same person in other case, unassigned, a new task to nobody.
    await upsertTask(f.deps, f.projectId, 'mx', { name: 'Lower the MX TTL', version: 1 }, ENGINEER);
    await upsertTask(f.deps, f.projectId, 'mx', { assignee: ' priya SHAH ', version: 2 }, ENGINEER);
    await upsertTask(f.deps, f.projectId, 'mx', { status: 'done', version: 3 }, ENGINEER);
    await upsertTask(f.deps, f.projectId, 'spare', { name: 'Spare' }, ENGINEER);
    await upsertRisk(f.deps, f.projectId, 'mfa-lockout', { impact: 4, version: 1 }, ENGINEER);
    expect(await assignments(f)).toBe(start + 1);
    // Assignments: to another person, a done task opened again, a risk's owner set.
    await upsertTask(f.deps, f.projectId, 'spare', { assignee: ENGINEER, version: 1 }, ENGINEER);
    await upsertTask(f.deps, f.projectId, 'mx', { status: 'todo', version: 4 }, ENGINEER);
    await upsertRisk(f.deps, f.projectId, 'mfa-lockout', { owner: 'Priya Shah', version: 2 }, ENGINEER);
    expect(await assignments(f)).toBe(start + 4);

    // The member's edit form read before all of it still saves: its version did not move.
    expect(await member(f)).toEqual(read);
    const saved = await upsertMember(
      f.deps,
      f.projectId,
      PM,
      { allocation: 25, version: read?.version },
      ENGINEER,
    );
    expect(saved.record).toMatchObject({ allocation: 25, version: (read?.version ?? 0) + 1 });
  });

  it('a deploy that adds an open risk with an owner bumps it (one without an owner does not)', async () => {
    const f = await lifecycleFixture();
    const project = await f.deps.store.getProject(f.projectId);
    const spec = project?.spec as unknown as ProjectSpecInput;
    const start = await assignments(f);
    const deploy = async (input: ProjectSpecInput) => {
      const parsed = makeProjectSpec(input);
      await registerProject(
        f.deps,
        { file: 't.yaml', spec: parsed, stages: resolveStages(parsed) },
        { start: false },
      );
    };
    await deploy({
      ...spec,
      risks: [...(spec.risks ?? []), { id: 'dns', title: 'DNS', likelihood: 1, impact: 2 }],
    });
    expect(await assignments(f)).toBe(start);
    const owned = { id: 'licences', title: 'Licences late', likelihood: 2, impact: 2, owner: 'Priya Shah' };
    await deploy({ ...spec, risks: [...(spec.risks ?? []), owned] });
    expect(await assignments(f)).toBe(start + 1);
    expect(await f.deps.store.get(f.projectId, 'risk', 'licences')).toMatchObject({ owner: 'Priya Shah' });
  });
});
