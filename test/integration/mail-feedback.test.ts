/** Bounces and complaints from SES, recorded against the person on DynamoDB Local and shown to the PM. */
import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/core/errors.js';
import type { ProjectSpec } from '../../functions/core/spec/schema.js';
import { resolveStages } from '../../functions/core/spec/schema.js';
import { registerProject } from '../../functions/core/use-cases/register-project.js';
import { getProjectDetail } from '../../functions/core/use-cases/staff-get-project.js';
import { handleMailFeedback } from '../../functions/handlers/mail-feedback.js';
import { makeProjectSpec, makeTestStore, type TestStore } from '../support/dynamo.js';
import { CapturingLogger, makeTestDeps, type TestDeps } from '../support/fakes.js';

const loaded = (spec: ProjectSpec) => ({ file: `${spec.id}.yaml`, spec, stages: resolveStages(spec) });

/** An SES bounce as EventBridge delivers it (detail-type "Email Bounced"). */
function bounceEvent(to: string, messageId: string, bounceType = 'Permanent') {
  return {
    version: '0',
    source: 'aws.ses',
    'detail-type': 'Email Bounced',
    detail: {
      eventType: 'Bounce',
      mail: { messageId, timestamp: '2026-12-02T10:00:00.000Z', destination: [to], tags: {} },
      bounce: {
        bounceType,
        bounceSubType: 'General',
        bouncedRecipients: [{ emailAddress: to, diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
        timestamp: '2026-12-02T10:00:05.000Z',
      },
    },
  };
}

function complaintEvent(to: string, messageId: string) {
  return {
    'detail-type': 'Email Complaint Received',
    source: 'aws.ses',
    detail: {
      eventType: 'Complaint',
      mail: { messageId, destination: [to] },
      complaint: {
        complainedRecipients: [{ emailAddress: to }],
        complaintFeedbackType: 'abuse',
        timestamp: '2026-12-03T08:00:00.000Z',
      },
    },
  };
}

describe('mail feedback (SES bounces and complaints)', () => {
  let t: TestStore;
  let deps: TestDeps;
  const log = new CapturingLogger();
  beforeAll(async () => {
    t = await makeTestStore();
    deps = makeTestDeps(t.store, { log });
    await registerProject(deps, loaded(makeProjectSpec({ id: 'fb-one' })), { start: false });
    await registerProject(deps, loaded(makeProjectSpec({ id: 'fb-two' })), { start: false });
  });

  it('records a permanent bounce against the stakeholder of every active project, with an event', async () => {
    const result = await handleMailFeedback(deps, bounceEvent('Sponsor@Acme.example', 'msg-1'));

    expect(result.recorded).toEqual(
      expect.arrayContaining([
        { projectId: 'fb-one', email: 'sponsor@acme.example', role: 'stakeholder' },
        { projectId: 'fb-two', email: 'sponsor@acme.example', role: 'stakeholder' },
      ]),
    );
    expect(result.unknown).toEqual([]);
    const sponsor = await t.store.get('fb-one', 'stakeholder', 'sponsor@acme.example');
    expect(sponsor?.delivery).toEqual({
      status: 'bounced',
      at: '2026-12-02T10:00:05.000Z',
      detail: 'Permanent / General',
      permanent: true,
      messageId: 'msg-1',
    });
    const events = await t.store.listEvents('fb-one');
    const bounced = events.items.filter((e) => e.type === 'email_bounced');
    expect(bounced).toHaveLength(1);
    expect(bounced[0]?.summary).toContain('Amara Okafor <sponsor@acme.example> bounced permanently');
    expect(bounced[0]?.data).toMatchObject({ email: 'sponsor@acme.example', role: 'stakeholder' });
  });

  it('shows the bounce to the PM in the project detail', async () => {
    const detail = await getProjectDetail(deps, 'fb-one');
    const sponsor = detail.stakeholders.find((s) => s.email === 'sponsor@acme.example');
    expect(sponsor?.delivery?.status).toBe('bounced');
    const other = detail.stakeholders.find((s) => s.email === 'approver@acme.example');
    expect(other?.delivery).toBeUndefined();
  });

  it('records the same SES report only once (at-least-once delivery)', async () => {
    const again = await handleMailFeedback(deps, bounceEvent('sponsor@acme.example', 'msg-1'));
    expect(again.recorded).toEqual([]);
    const events = await t.store.listEvents('fb-one');
    expect(events.items.filter((e) => e.type === 'email_bounced')).toHaveLength(1);
  });

  it('records a complaint against a team member', async () => {
    const result = await handleMailFeedback(deps, complaintEvent('eng@msp.example', 'msg-2'));
    expect(result.recorded).toContainEqual({ projectId: 'fb-one', email: 'eng@msp.example', role: 'member' });
    const member = await t.store.get('fb-one', 'member', 'eng@msp.example');
    expect(member).toMatchObject({ delivery: { status: 'complained', detail: 'abuse', permanent: false } });
    const events = await t.store.listEvents('fb-one');
    expect(events.items.some((e) => e.type === 'email_complained' && e.summary.includes('spam'))).toBe(true);
  });

  it('counts an address nobody in an active project has, and changes nothing', async () => {
    const before = (await t.store.listEvents('fb-two')).items.length;
    const result = await handleMailFeedback(deps, bounceEvent('stranger@else.example', 'msg-3', 'Transient'));
    expect(result).toEqual({ recorded: [], unknown: ['stranger@else.example'] });
    expect((await t.store.listEvents('fb-two')).items).toHaveLength(before);
  });

  it('rejects a malformed event naming the field, and logs no address', async () => {
    const event = bounceEvent('sponsor@acme.example', 'msg-4');
    event.detail.bounce.bouncedRecipients = [];
    await expect(handleMailFeedback(deps, event)).rejects.toBeInstanceOf(ValidationError);
    const lines = log.lines.join('\n');
    expect(lines).toContain('detail.bounce.bouncedRecipients');
    expect(lines).not.toContain('acme.example');
  });
});
