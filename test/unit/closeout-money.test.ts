/**
 * The close-out report's money for the customer: the billable value once time or expenses were
 * recorded (the ledger), never before, and never an internal cost.
 */
import { describe, expect, it } from 'vitest';
import { resolveStages } from '../../functions/core/spec/schema.js';
import { loadCloseoutInput } from '../../functions/core/use-cases/generate-closeout.js';
import { recordExpense } from '../../functions/core/use-cases/record-expense.js';
import { registerProject } from '../../functions/core/use-cases/register-project.js';
import { makeProjectSpec } from '../support/dynamo.js';
import { makeTestDeps } from '../support/fakes.js';
import { MemoryProjectStore } from '../support/memory-store.js';

const ID = 'acme-m365';

describe('the close-out budget', () => {
  it('has no billable value before anything is recorded, and the billable value (not the cost) after', async () => {
    const deps = makeTestDeps(new MemoryProjectStore());
    const spec = makeProjectSpec({ id: ID });
    await registerProject(deps, { file: `${ID}.yaml`, spec, stages: resolveStages(spec) }, { start: false });
    const project = await deps.store.getProject(ID);
    expect((await loadCloseoutInput(deps, project!)).billableValue).toBeUndefined();

    // One billable and one internal expense: only the billable one reaches the customer's figure.
    const day = deps.clock.now().toISOString().slice(0, 10);
    await recordExpense(deps, ID, { date: day, description: 'Licences', amount: 120 }, 'pm@msp.example');
    await recordExpense(
      deps,
      ID,
      { date: day, description: 'Taxi', amount: 40, billable: false },
      'pm@msp.example',
    );
    const after = await loadCloseoutInput(deps, (await deps.store.getProject(ID))!);
    const resources = (await deps.store.list(ID, 'resource')).reduce((sum, r) => sum + r.cost, 0);
    expect(after.billableValue).toBe(resources + 120);
  });
});
