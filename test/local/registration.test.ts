import { beforeAll, describe, expect, it } from 'vitest';
import { registrationProperties } from '../../functions/core/spec/registration.js';
import { type ProjectSpec, resolveStages } from '../../functions/core/spec/schema.js';
import { registerProjects, registrationEvent } from '../../local/registration.js';
import { makeProjectSpec, makeTestStore, type TestStore } from '../support/dynamo.js';
import { makeTestDeps } from '../support/fakes.js';

const loaded = (spec: ProjectSpec) => ({ file: `${spec.id}.yaml`, spec, stages: resolveStages(spec) });

describe('local registration through the register handler', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await makeTestStore();
  });

  it('sends the CloudFormation event of the project stack, with the same properties', () => {
    const spec = makeProjectSpec({ id: 'lr-shape' });
    const properties = registrationProperties(spec);
    const create = registrationEvent(properties);
    expect(create).toMatchObject({
      RequestType: 'Create',
      ResourceType: 'Custom::MilepostProject',
      LogicalResourceId: 'Registration',
      ResourceProperties: {
        projectId: 'lr-shape',
        spec: JSON.stringify(spec),
        specHash: properties.specHash,
      },
    });
    expect(create.StackId).toContain('stack/Milepost-Project-lr-shape/');
    const update = registrationEvent(properties, properties);
    expect(update).toMatchObject({
      RequestType: 'Update',
      PhysicalResourceId: 'lr-shape',
      OldResourceProperties: { specHash: properties.specHash },
    });
  });

  it('creates a new project and starts its first execution', async () => {
    const deps = makeTestDeps(t.store);
    const spec = makeProjectSpec({ id: 'lr-new' });
    const responses = await registerProjects(deps, [loaded(spec)]);
    expect(responses).toEqual([
      { PhysicalResourceId: 'lr-new', Data: { created: 'true', updated: 'false', started: 'true' } },
    ]);
    expect(await t.store.getProject('lr-new')).toMatchObject({ status: 'active', spec });
    expect(deps.workflow.starts).toEqual([
      { projectId: 'lr-new', name: 'lr-new-g0', input: { projectId: 'lr-new' } },
    ]);
  });

  it('sends nothing for a registered project whose spec did not change', async () => {
    const spec = makeProjectSpec({ id: 'lr-same' });
    await registerProjects(makeTestDeps(t.store), [loaded(spec)]);
    const deps = makeTestDeps(t.store);
    expect(await registerProjects(deps, [loaded(structuredClone(spec))])).toEqual([]);
    expect(deps.workflow.starts).toEqual([]);
  });

  it('updates a registered project whose spec changed; the start it asks for is the existing execution', async () => {
    const spec = makeProjectSpec({ id: 'lr-changed' });
    await registerProjects(makeTestDeps(t.store), [loaded(spec)]);
    const changed = { ...spec, name: `${spec.name} (phase 2)` };
    const deps = makeTestDeps(t.store);
    const responses = await registerProjects(deps, [loaded(changed)]);
    expect(responses).toEqual([
      { PhysicalResourceId: 'lr-changed', Data: { created: 'false', updated: 'true', started: 'true' } },
    ]);
    expect((await t.store.getProject('lr-changed'))?.name).toBe(changed.name);
    // The same deterministic name as the first start: Step Functions answers ExecutionAlreadyExists.
    expect(deps.workflow.starts.map((s) => s.name)).toEqual(['lr-changed-g0']);
  });
});
