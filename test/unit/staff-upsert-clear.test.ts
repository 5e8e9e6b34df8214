/**
 * The core's rule for `clear` (staff-upsert.ts), called as the console and the API call it: every
 * wrong name is refused before anything is read or written, with the field named; a cleared field
 * is gone from the record the kind's build sees; a clear on a record being created changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/core/errors.js';
import { upsertDeployment } from '../../functions/core/use-cases/staff-upsert-deployment.js';
import { upsertTask } from '../../functions/core/use-cases/staff-upsert-task.js';
import { makeProject, makeProjectSpec, makeStages } from '../support/dynamo.js';
import { makeTestDeps, type TestDeps } from '../support/fakes.js';
import { MemoryProjectStore } from '../support/memory-store.js';

const ID = 'acme-m365';

async function seeded(): Promise<TestDeps> {
  const store = new MemoryProjectStore();
  const project = makeProject({}, makeProjectSpec({ id: ID }));
  await store.commit([project, ...makeStages(project)]);
  return makeTestDeps(store);
}

async function refusal(run: () => Promise<unknown>): Promise<ValidationError> {
  const err = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ValidationError);
  return err as ValidationError;
}

describe('upsert with clear', () => {
  it('refuses a required field, an unknown name and a field also given, each by its place in clear', async () => {
    const deps = await seeded();
    const { record } = await upsertTask(deps, ID, 'mx', { name: 'MX', assignee: 'dana' }, 'pm');

    const err = await refusal(() =>
      upsertTask(
        deps,
        ID,
        'mx',
        // The API's schema refuses these names first; the core holds on its own (the console, other callers).
        { version: record.version, due: '2026-12-01', clear: ['name', 'owner', 'due', 'assignee'] as never },
        'pm',
      ),
    );
    expect(err.issues).toEqual([
      { path: 'clear.0', message: 'name is required; it cannot be cleared' },
      {
        path: 'clear.1',
        message: 'unknown field "owner": one of assignee, acceptance, due, waiverReason, evidence',
      },
      { path: 'clear.2', message: 'due is also given a value; send either the value or the clear' },
    ]);
    expect(await deps.store.get(ID, 'task', 'mx')).toMatchObject({
      assignee: 'dana',
      version: record.version,
    });

    const deployment = await upsertDeployment(
      deps,
      ID,
      'cutover',
      { name: 'Cut-over', steps: ['Switch'] },
      'pm',
    );
    const list = await refusal(() =>
      upsertDeployment(
        deps,
        ID,
        'cutover',
        { version: deployment.record.version, clear: ['steps'] as never },
        'pm',
      ),
    );
    expect(list.issues).toEqual([
      { path: 'clear.0', message: 'steps is a list: send an empty list to empty it; it cannot be cleared' },
    ]);
  });

  it('clears on update; on create a clear changes nothing', async () => {
    const deps = await seeded();
    const created = await upsertTask(deps, ID, 'mx', { name: 'MX', assignee: 'dana', clear: ['due'] }, 'pm');
    expect(created.created).toBe(true);
    expect(created.record).toMatchObject({ name: 'MX', assignee: 'dana' });

    const updated = await upsertTask(
      deps,
      ID,
      'mx',
      { version: created.record.version, clear: ['assignee'], status: 'in_progress' },
      'pm',
    );
    expect(updated.record).toMatchObject({ name: 'MX', status: 'in_progress' });
    expect(updated.record).not.toHaveProperty('assignee');
    const event = (await deps.store.listEvents(ID)).items.find((e) => e.type === 'task_updated');
    expect((event?.data as { changed?: string[] } | undefined)?.changed?.sort()).toEqual([
      'assignee',
      'status',
    ]);
  });
});
