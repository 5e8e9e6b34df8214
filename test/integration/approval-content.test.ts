/**
 * Each gate shows its substance: the approval request email (HTML and plain text) and the approval
 * page show what the stage type declares (the charter, the test cases, the deployment record),
 * read from the project's records, escaped.
 */
import { describe, expect, it } from 'vitest';
import { localDate } from '../../functions/core/time.js';
import { handleLifecycle } from '../../functions/handlers/lifecycle.js';
import { handleHttp } from '../../functions/http/app.js';
import { makeDeployment, makeTestCase, makeTrainingSession } from '../support/dynamo.js';
import { approvalRequest } from './approval-support.js';
import { type LifecycleFixture, lifecycleFixture, linkIds, START } from './lifecycle-support.js';

const EVIL = '<script>alert(1)</script>';

/** Enters `stage` and opens its gate; its criteria hold, so the approval requests go out. */
async function requestApprovals(f: LifecycleFixture, stage: string) {
  await handleLifecycle(f.deps, {
    action: 'enterStage',
    projectId: f.projectId,
    stage,
    executionStartedAt: START,
  });
  const before = f.mailer.sent.length;
  await handleLifecycle(f.deps, {
    action: 'openGate',
    projectId: f.projectId,
    stage,
    taskToken: `token-${stage}-XXXXXXXXXXXXXXXXXXXXXXXX`,
  });
  const mails = f.mailer.sent.slice(before).filter((m) => m.tag === 'approval-request');
  expect(mails).toHaveLength(1);
  const mail = mails[0]!;
  const [id] = linkIds([mail]);
  const page = await handleHttp(f.deps, approvalRequest('GET', id!));
  expect(page.status).toBe(200);
  return { mail, page: page.body };
}

describe('approval content of each gate', () => {
  it('initiation: the email and the page show the objectives and the scope items of the charter', async () => {
    const f = await lifecycleFixture({
      objectives: ['Cut mail downtime to zero', `Retire the old server ${EVIL}`],
      scope: { in: ['12 mailboxes', 'Shared calendars'], out: ['Phone system'] },
    });
    const { mail, page } = await requestApprovals(f, 'initiation');
    for (const body of [mail.html, mail.text, page]) {
      expect(body).toContain('Cut mail downtime to zero');
      expect(body).toContain('12 mailboxes');
      expect(body).toContain('Shared calendars');
      expect(body).toContain('Phone system');
      expect(body).toContain('CIS baseline applied'); // a deliverable's acceptance criteria
    }
    // Escaped in both HTML renderings; as written in the plain text.
    for (const body of [mail.html, page]) {
      expect(body).not.toContain(EVIL);
      expect(body).toContain('Retire the old server &lt;script&gt;');
    }
    expect(mail.text).toContain(`Retire the old server ${EVIL}`);
  });

  it('qa: the page lists the test cases by name with their results, and the waivers', async () => {
    const f = await lifecycleFixture();
    await f.deps.store.commit([
      makeTestCase({ projectId: f.projectId, id: 'mail', name: 'Mail flows in and out' }),
      makeTestCase({
        projectId: f.projectId,
        id: 'load',
        name: `Load test ${EVIL}`,
        category: 'performance',
        result: 'waived',
        waiverReason: 'Only 12 users',
      }),
    ]);
    const { mail, page } = await requestApprovals(f, 'qa');
    for (const body of [mail.text, mail.html, page]) {
      expect(body).toContain('Functional tests');
      expect(body).toContain('Mail flows in and out');
      expect(body).toContain('Result: passed');
      expect(body).toContain('Performance tests');
      expect(body).toContain('Result: waived');
      expect(body).toContain('Only 12 users');
    }
    // The email lists the waivers; the page asks for each in its form (qa-waivers.test.ts).
    for (const body of [mail.text, mail.html])
      expect(body).toContain('Waivers you accept with this decision');
    expect(page).toContain('Waivers you accept with an approval');
    expect(page).toMatch(/<strong>Mail flows in and out<\/strong><ul class="detail"><li>Result: passed/);
    expect(page).not.toContain(EVIL);
  });

  it('deployment: the page and the email show the rollback plan, the result and the training', async () => {
    const f = await lifecycleFixture();
    const pid = f.projectId;
    const mailCutover = await f.deps.store.get(pid, 'task', 'cutover');
    await f.deps.store.commit([
      { ...mailCutover!, status: 'done' },
      makeDeployment({ projectId: pid, rollbackPlan: `Point MX back to the old server ${EVIL}` }),
      makeTrainingSession({ projectId: pid, date: localDate(f.clock.now(), 'Europe/London') }),
    ]);
    const { mail, page } = await requestApprovals(f, 'deployment');
    for (const body of [mail.text, mail.html, page]) {
      expect(body).toContain('Rollback plan: Point MX back to the old server');
      expect(body).toContain('Result: succeeded');
      expect(body).toContain('Outlook and Teams basics');
      expect(body).toContain('Attendees: Jo Smith, Ana Lee');
    }
    expect(page).not.toContain(EVIL);
  });
});
