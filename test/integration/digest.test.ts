import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelsNotifier } from '../../functions/adapters/channels-notifier.js';
import { EmailNotifier } from '../../functions/adapters/email-notifier.js';
import { WebhookNotifier } from '../../functions/adapters/webhook-notifier.js';
import type { DigestRun, Project, ProjectMonitoring } from '../../functions/core/model.js';
import type { ProjectStore } from '../../functions/core/ports.js';
import { recordExpense } from '../../functions/core/use-cases/record-expense.js';
import {
  DIGEST_CLAIM_MS,
  DigestNotDeliveredError,
  sendPortfolioDigest,
} from '../../functions/core/use-cases/send-portfolio-digest.js';
import { handleSchedule } from '../../functions/handlers/schedule.js';
import { startWebhookLocal, type WebhookLocal } from '../../local/webhook-local.js';
import {
  makeGate,
  makeProject,
  makeProjectSpec,
  makeTask,
  makeTestStore,
  type TestStore,
} from '../support/dynamo.js';
import { makeTestDeps, RecordingMailer, type TestDeps } from '../support/fakes.js';

let ts: TestStore;
let deps: TestDeps;
const DM = 'dm@msp.example';
const NOW = '2026-12-20T07:00:00.000Z';

beforeEach(async () => {
  ts = await makeTestStore();
  deps = makeTestDeps(ts.store);
  deps.config.deliveryManagerEmail = DM;
  deps.config.platformTimezone = 'Europe/London';
  deps.clock.set(NOW);
});
afterEach(async () => {
  await ts.drop();
});

const monitoring = (m: Partial<ProjectMonitoring>): ProjectMonitoring => ({
  checkedAt: NOW,
  rag: 'green',
  spi: 1,
  cpi: 1,
  reasons: [],
  openDeviations: [],
  ...m,
});

async function seedPortfolio() {
  const red = makeProject(
    {
      currentStage: 'execution',
      monitoring: monitoring({
        rag: 'red',
        reasons: ['stage Execution is 9 day(s) overdue (due 2026-12-11)'],
        openDeviations: ['overdue-stage:execution', 'spi'],
        deviationSummaries: {
          'overdue-stage:execution':
            'Stage Execution & Implementation is overdue by 1 day(s) (due 2026-12-11)',
          spi: 'Schedule variance: SPI 0.40 is below 0.90',
        },
        correctiveActions: { spi: { action: 'Second engineer from Monday', by: 'pm@msp.example', at: NOW } },
      }),
    },
    makeProjectSpec({ id: 'harbor-firewall', name: 'Harbor <firewall>' }),
  );
  const amber = makeProject(
    {
      currentStage: 'initiation',
      monitoring: monitoring({ rag: 'amber', reasons: ['1 task(s) overdue: Kick-off'] }),
    },
    makeProjectSpec({ id: 'acme-m365', name: 'Acme M365' }),
  );
  const green = makeProject(
    { monitoring: monitoring({}) },
    makeProjectSpec({ id: 'calm', name: 'Calm project' }),
  );
  const closed = makeProject(
    { status: 'closed' },
    makeProjectSpec({ id: 'old', name: 'Old closed project' }),
  );
  await ts.store.commit([
    red,
    amber,
    green,
    closed,
    makeTask({ projectId: 'harbor-firewall', id: 't1', actualHours: 12, estimateHours: 10 }),
    makeTask({ projectId: 'harbor-firewall', id: 't2', actualHours: 4, estimateHours: 10 }),
    // Requested 10 days ago; the initiation gate times out after 7.
    makeGate({
      projectId: 'acme-m365',
      stage: 'initiation',
      status: 'pending_approval',
      round: 1,
      requestedAt: '2026-12-10T07:00:00.000Z',
      approvers: [{ email: 'sponsor@acme.example', name: 'Amara Okafor' }],
    }),
  ]);
  return { red, amber, green } as Record<string, Project>;
}

describe('the portfolio digest', () => {
  it('shows the money burn of a project once time or expenses are recorded', async () => {
    const { green } = await seedPortfolio();
    await recordExpense(
      deps,
      green!.id,
      { date: '2026-12-18', description: 'Licences', amount: 500 },
      'pm@msp.example',
    );
    await handleSchedule(deps, { kind: 'portfolio-digest' });
    const text = deps.mailer.sent.at(-1)?.text ?? '';
    const line = text.split('\n').find((l) => l.includes('Calm project') && l.includes('spent'));
    expect(line).toMatch(/\d+ % of \d+ [A-Z]{3} spent/);
    // The projects without a ledger still say so.
    expect(text).toContain('money: not recorded');
  });

  it('emails the delivery manager projects by RAG, deviations without an action, overdue approvals and burn', async () => {
    await seedPortfolio();
    const result = await handleSchedule(deps, { kind: 'portfolio-digest' });
    expect(result).toMatchObject({ status: 'sent', projects: 3, emailed: true, failed: 0 });

    expect(deps.mailer.sent).toHaveLength(1);
    const mail = deps.mailer.sent[0]!;
    expect(mail.to).toEqual([DM]);
    expect(mail.tag).toBe('portfolio-digest');
    expect(mail.subject).toContain('Portfolio digest Sun, 20 Dec 2026: 1 red, 1 amber');
    const text = mail.text;
    // Red first, then amber, then green; the closed project is not in it.
    const at = (s: string) => text.indexOf(s);
    expect(at('Harbor <firewall>')).toBeGreaterThan(-1);
    expect(at('Harbor <firewall>')).toBeLessThan(at('Acme M365'));
    expect(at('Acme M365')).toBeLessThan(at('Calm project'));
    expect(text).not.toContain('Old closed project');
    // The deviation with a corrective action is left out; the other is named as first found.
    expect(text).toContain('Stage Execution & Implementation is overdue by 1 day(s)');
    expect(text).not.toContain('Schedule variance: SPI 0.40');
    expect(text).toMatch(/Acme M365, Initiation & Planning, 10 day\(s\), Amara Okafor/);
    expect(text).toContain('16 of 160 h (10 %); money: not recorded');
    // HTML is escaped.
    expect(mail.html).toContain('Harbor &lt;firewall&gt;');
    expect(mail.html).not.toContain('Harbor <firewall>');
  });

  it('also posts it to the platform’s chat channel, and skips when there is neither', async () => {
    await seedPortfolio();
    const webhooks: WebhookLocal = await startWebhookLocal();
    try {
      const mailer = new RecordingMailer();
      const withChat = makeTestDeps(ts.store, {
        mailer,
        notifier: new ChannelsNotifier(
          new EmailNotifier(mailer),
          new WebhookNotifier({
            captureEndpoint: webhooks.endpoint,
            platform: { kind: 'teams', url: async () => 'https://example.invalid/never-called' },
          }),
        ),
      });
      withChat.clock.set(NOW);
      expect(await sendPortfolioDigest(withChat)).toMatchObject({
        status: 'sent',
        emailed: false,
        posted: true,
      });
      expect(webhooks.posts().map((p) => [p.channel, p.kind, p.scope])).toEqual([
        ['teams', 'portfolio-digest', 'platform'],
      ]);
      expect(mailer.sent).toHaveLength(0);

      const nobody = makeTestDeps(ts.store);
      expect(await sendPortfolioDigest(nobody)).toEqual({ status: 'skipped', reason: 'no_recipient' });
    } finally {
      await webhooks.stop();
    }
  });
});

describe('the portfolio digest is sent at most once a day', () => {
  const digests = () => deps.mailer.tagged('portfolio-digest');
  const run = async (date: string): Promise<DigestRun | undefined> => {
    const [record] = await ts.store.getRecords([{ entity: 'digest', date }] as const);
    return record;
  };

  it('a second invocation the same day sends nothing', async () => {
    await seedPortfolio();
    expect(await sendPortfolioDigest(deps)).toMatchObject({ status: 'sent', emailed: true });
    deps.clock.set('2026-12-20T09:30:00.000Z');
    expect(await handleSchedule(deps, { kind: 'portfolio-digest' })).toEqual({
      status: 'skipped',
      reason: 'already_sent',
    });
    expect(digests()).toHaveLength(1);
    expect(await run('2026-12-20')).toMatchObject({
      status: 'sent',
      attempts: 1,
      emailed: true,
      posted: false,
      failed: 0,
      projects: 3,
      sentAt: '2026-12-20T07:00:00.000Z',
    });
  });

  it('of invocations at the same moment, one sends', async () => {
    await seedPortfolio();
    const results = await Promise.all(Array.from({ length: 4 }, () => sendPortfolioDigest(deps)));
    expect(results.filter((r) => r.status === 'sent')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'skipped' && r.reason === 'already_sent')).toHaveLength(3);
    expect(digests()).toHaveLength(1);
    expect(await run('2026-12-20')).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('the next day (in the platform’s time zone) sends again', async () => {
    await seedPortfolio();
    deps.config.platformTimezone = 'Pacific/Auckland';
    // 20:00 on 20 December in Auckland.
    expect(await sendPortfolioDigest(deps)).toMatchObject({ status: 'sent' });
    // 01:00 on 21 December in Auckland: the same UTC day, another local one.
    deps.clock.set('2026-12-20T12:00:00.000Z');
    expect(await sendPortfolioDigest(deps)).toMatchObject({ status: 'sent' });
    expect(await sendPortfolioDigest(deps)).toEqual({ status: 'skipped', reason: 'already_sent' });
    expect(digests().map((m) => m.subject)).toEqual([
      expect.stringContaining('Sun, 20 Dec 2026'),
      expect.stringContaining('Mon, 21 Dec 2026'),
    ]);
    expect((await run('2026-12-20'))?.status).toBe('sent');
    expect((await run('2026-12-21'))?.status).toBe('sent');
  });

  it('a send that reached nobody is recorded and thrown; a retry the same day sends it', async () => {
    await seedPortfolio();
    deps.mailer.failWhen = () => true;
    const failed = sendPortfolioDigest(deps);
    await expect(failed).rejects.toBeInstanceOf(DigestNotDeliveredError);
    await expect(failed).rejects.toThrow('the portfolio digest of 2026-12-20 reached no channel');
    expect(digests()).toHaveLength(0);
    expect(await run('2026-12-20')).toMatchObject({ status: 'unsent', attempts: 1, failed: 1 });

    // Lambda's retry, a minute later: SES answers again.
    deps.mailer.failWhen = undefined;
    deps.clock.set('2026-12-20T07:01:00.000Z');
    expect(await sendPortfolioDigest(deps)).toMatchObject({ status: 'sent', emailed: true, failed: 0 });
    expect(digests()).toHaveLength(1);
    expect(await run('2026-12-20')).toMatchObject({ status: 'sent', attempts: 2, failed: 0 });
    expect(await sendPortfolioDigest(deps)).toEqual({ status: 'skipped', reason: 'already_sent' });
    expect(digests()).toHaveLength(1);
  });

  it('two retries of an unsent day at once send one digest', async () => {
    await seedPortfolio();
    deps.mailer.failWhen = () => true;
    await expect(sendPortfolioDigest(deps)).rejects.toBeInstanceOf(DigestNotDeliveredError);
    deps.mailer.failWhen = undefined;
    const results = await Promise.all([sendPortfolioDigest(deps), sendPortfolioDigest(deps)]);
    expect(results.map((r) => r.status).sort()).toEqual(['sent', 'skipped']);
    expect(digests()).toHaveLength(1);
  });

  it('an error while building the digest leaves the day unsent, and the retry sends it', async () => {
    await seedPortfolio();
    const failing: ProjectStore = Object.create(ts.store);
    failing.getProjectSnapshot = async () => {
      throw new Error('connection reset');
    };
    await expect(sendPortfolioDigest({ ...deps, store: failing })).rejects.toThrow('connection reset');
    expect(await run('2026-12-20')).toMatchObject({ status: 'unsent', attempts: 1 });
    expect(await sendPortfolioDigest(deps)).toMatchObject({ status: 'sent' });
    expect(digests()).toHaveLength(1);
  });

  it('a delivered email with a failed chat post is sent: the retry does not email again', async () => {
    await seedPortfolio();
    const notifier = {
      send: deps.notifier.send.bind(deps.notifier),
      announce: async () => {
        throw new Error('webhook answered 500');
      },
    };
    const withChat = { ...deps, notifier };
    expect(await sendPortfolioDigest(withChat)).toMatchObject({
      status: 'sent',
      emailed: true,
      posted: false,
      failed: 1,
    });
    expect(await sendPortfolioDigest(withChat)).toEqual({ status: 'skipped', reason: 'already_sent' });
    expect(digests()).toHaveLength(1);
    expect(await run('2026-12-20')).toMatchObject({ status: 'sent', emailed: true, failed: 1 });
  });

  it('a claim left by an invocation that died holds for the longest run, then may be taken over', async () => {
    await seedPortfolio();
    // An invocation claimed the day and died (a timeout) before recording how it ended.
    await ts.store.commit([
      {
        entity: 'digest',
        date: '2026-12-20',
        status: 'sending',
        claimedAt: NOW,
        attempts: 1,
        expiresAt: Date.parse(NOW) / 1000 + 86_400,
        version: 0,
      },
    ]);
    // Whether its email left is unknown: a retry within the hold sends nothing.
    deps.clock.set(new Date(Date.parse(NOW) + DIGEST_CLAIM_MS - 1000).toISOString());
    expect(await sendPortfolioDigest(deps)).toEqual({ status: 'skipped', reason: 'already_sent' });
    expect(digests()).toHaveLength(0);
    // After it, the invocation that died cannot be running any more.
    deps.clock.set(new Date(Date.parse(NOW) + DIGEST_CLAIM_MS).toISOString());
    expect(await sendPortfolioDigest(deps)).toMatchObject({ status: 'sent' });
    expect(digests()).toHaveLength(1);
    expect(await run('2026-12-20')).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('without a delivery manager or a chat channel nothing is claimed', async () => {
    await seedPortfolio();
    const nobody = makeTestDeps(ts.store);
    nobody.clock.set(NOW);
    expect(await sendPortfolioDigest(nobody)).toEqual({ status: 'skipped', reason: 'no_recipient' });
    expect(await run('2026-12-20')).toBeUndefined();
  });
});
