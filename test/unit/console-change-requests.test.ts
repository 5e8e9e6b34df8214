/**
 * The console's change requests: the project page lists them (old → new, the decision, the YAML
 * patch once approved) with the form for the team; the form raises one as the signed-in person,
 * comes back with each error next to its field, and changes nothing without the CSRF token.
 */
import { describe, expect, it } from 'vitest';
import type { StaffUser } from '../../functions/core/authorization.js';
import { signLocalSession } from '../../functions/core/session.js';
import { resolveStages } from '../../functions/core/spec/schema.js';
import { registerProject } from '../../functions/core/use-cases/register-project.js';
import { createHttpApp } from '../../functions/http/app.js';
import { respond } from '../../functions/http/exchange.js';
import { localSignIn } from '../../functions/http/sign-in.js';
import { CONSOLE_SECRET, consoleCall } from '../support/console.js';
import { makeProjectSpec } from '../support/dynamo.js';
import { makeTestDeps, type TestDeps } from '../support/fakes.js';
import { MemoryProjectStore } from '../support/memory-store.js';

const PM: StaffUser = { email: 'pm@msp.example', name: 'Priya Shah', groups: ['staff'] };
const OUTSIDER: StaffUser = { email: 'other@msp.example', name: 'Olive Other', groups: ['staff'] };
const SECRET = CONSOLE_SECRET;
const ID = 'acme-m365';

async function seeded(): Promise<TestDeps> {
  const deps = makeTestDeps(new MemoryProjectStore());
  const spec = makeProjectSpec({ id: ID });
  await registerProject(deps, { file: `${ID}.yaml`, spec, stages: resolveStages(spec) }, { start: false });
  return deps;
}

const call = (deps: TestDeps, method: string, path: string, user: StaffUser, body?: Record<string, string>) =>
  consoleCall(deps, method, path, user, body, new Date());

const form = (extra: Record<string, string>) => ({ reason: 'A second site', impact: '10% more', ...extra });

describe('console change requests', () => {
  it('raises one from the form as the signed-in person and lists it with old → new', async () => {
    const deps = await seeded();
    const res = await call(
      deps,
      'POST',
      `/projects/${ID}/change-requests`,
      PM,
      form({
        budgetAmount: '20350',
        'due.support': '2027-02-20',
        scopeOut: 'Phone system\nPrinters',
      }),
    );
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/projects/${ID}?notice=change&ref=cr-1#change-requests`);
    const stored = await deps.store.get(ID, 'change_request', 'cr-1');
    expect(stored).toMatchObject({ raisedBy: PM.email, status: 'pending' });
    expect(stored?.changes.map((c) => c.field)).toEqual(['scope.out', 'budget.amount', 'stages.support.due']);

    const page = await call(deps, 'GET', `/projects/${ID}`, PM);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Change requests');
    expect(page.body).toContain('Budget (money): 18500 → 20350');
    expect(page.body).toContain('Out of scope: Phone system → Phone system; Printers');
    expect(page.body).toContain('waiting for sponsor@acme.example');
    expect(page.body).toContain('Raise the change request');
  });

  it('comes back with the error next to its field and raises nothing', async () => {
    const deps = await seeded();
    const cases: [Record<string, string>, string, string][] = [
      [form({ budgetAmount: '18500' }), 'change-budgetAmount-error', 'nothing to change'],
      [form({ budgetAmount: 'lots' }), 'change-budgetAmount-error', 'must be a number'],
      [form({ 'due.execution': '2027-09-01' }), 'change-due.execution-error', 'must be inside the timeline'],
      [form({ deliverables: 'only-an-id' }), 'change-deliverables-error', 'id | stage | name | acceptance'],
      [{ budgetAmount: '20000', reason: '', impact: 'x' }, 'change-reason-error', 'must not be empty'],
    ];
    for (const [body, errorId, message] of cases) {
      const res = await call(deps, 'POST', `/projects/${ID}/change-requests`, PM, body);
      expect(res.status, errorId).toBe(400);
      expect(res.body, errorId).toMatch(
        new RegExp(`id="${errorId.replace('.', '\\.')}">[^<]*${message.replace(/[|]/g, '\\|')}`),
      );
    }
    expect(await deps.store.list(ID, 'change_request')).toEqual([]);
  });

  it('refuses someone outside the team, and a post without the CSRF token', async () => {
    const deps = await seeded();
    const outsider = await call(
      deps,
      'POST',
      `/projects/${ID}/change-requests`,
      OUTSIDER,
      form({ budgetAmount: '20000' }),
    );
    expect(outsider.status).toBe(403);
    const cookie = signLocalSession(SECRET, PM, new Date());
    const forged = await respond(createHttpApp(deps, { console: { signIn: localSignIn(SECRET) } }), {
      method: 'POST',
      path: `/projects/${ID}/change-requests`,
      query: {},
      headers: {
        cookie: `milepost-session=${cookie}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(form({ budgetAmount: '20000' })).toString(),
    });
    expect(forged.status).toBe(403);
    expect(await deps.store.list(ID, 'change_request')).toEqual([]);
    // A reader sees the list, not the form.
    const page = await call(deps, 'GET', `/projects/${ID}`, OUTSIDER);
    expect(page.body).toContain('Change requests');
    expect(page.body).not.toContain('Raise the change request');
  });
});
