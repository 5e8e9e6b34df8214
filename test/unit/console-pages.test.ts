import { describe, expect, it } from 'vitest';
import { budgetBurn } from '../../functions/core/budget.js';
import { computeHealth, type Health } from '../../functions/core/health.js';
import type { Project, ProjectEvent, Risk, Stage } from '../../functions/core/model.js';
import { CONSOLE_HEADERS } from '../../functions/core/pages/console/layout.js';
import { emailLinks, outboxPage } from '../../functions/core/pages/console/outbox.js';
import { portfolioPage } from '../../functions/core/pages/console/portfolio.js';
import { heatMap, projectPage } from '../../functions/core/pages/console/project.js';
import {
  type GateView,
  type ProjectDetail,
  publicGate,
} from '../../functions/core/use-cases/staff-get-project.js';
import { makeGate, makeProject, makeProjectSpec, makeRisk, makeStages } from '../support/dynamo.js';

const EVIL = `<script>alert("x")</script> & 'quotes'`;

function detail() {
  const spec = makeProjectSpec({ name: `Migration ${EVIL}` });
  const project = makeProject({ currentStage: 'resourcing' }, spec);
  const stages = makeStages(project).map((s, i) =>
    i === 0
      ? {
          ...s,
          status: 'completed' as const,
          startedAt: '2026-12-01T09:00:00.000Z',
          completedAt: '2026-12-04T15:00:00.000Z',
        }
      : i === 1
        ? { ...s, status: 'active' as const, startedAt: '2026-12-04T15:00:00.000Z' }
        : s,
  );
  const gate = makeGate({
    projectId: project.id,
    stage: stages[0]!.key,
    status: 'approved',
    round: 1,
    taskToken: 'SECRET-TASK-TOKEN',
    approvers: [
      {
        email: 'sponsor@acme.example',
        name: 'Amara Okafor',
        linkHash: 'SECRET-LINK-HASH',
        decision: 'approve',
        comment: `Fine ${EVIL}`,
        decidedAt: '2026-12-04T14:59:00.000Z',
      },
    ],
    decidedAt: '2026-12-04T14:59:00.000Z',
  });
  const risks = [
    makeRisk({ projectId: project.id, id: 'data-loss', likelihood: 2, impact: 5 }),
    makeRisk({ projectId: project.id, id: 'lockout', title: `Lockout ${EVIL}`, likelihood: 4, impact: 4 }),
  ];
  return {
    project,
    stages,
    // The initiation gate waited 2 days 5 hours on the customer before it was approved.
    gates: [{ ...publicGate(gate), customerWait: { waiting: false, totalMs: (2 * 24 + 5) * 3_600_000 } }],
    risks,
  };
}

/** The staff API's read model of those records (what getProjectDetail returns), with `extra` fields. */
function detailOf(
  d: { project: Project; stages: Stage[]; gates: GateView[]; risks: Risk[] },
  health: Health,
  extra: Partial<ProjectDetail> = {},
): ProjectDetail {
  const { stages: resolved, entity: _entity, ...fields } = d.project;
  return {
    ...fields,
    stages: resolved.map((r, i) => {
      const { entity: _e, ...record } = d.stages[i]!;
      return { ...record, standard: r.standard, gate: r.gate };
    }),
    gates: d.gates,
    risks: d.risks,
    tasks: [],
    team: [],
    stakeholders: [],
    resources: [],
    testCases: [],
    deployments: [],
    trainingSessions: [],
    lessons: [],
    documents: [],
    health,
    deviations: [],
    customerWait: { totalMs: d.gates.reduce((sum, g) => sum + g.customerWait.totalMs, 0) },
    budget: budgetBurn({ spec: d.project.spec, resources: [], tasks: [] }),
    ...extra,
  };
}

describe('console pages', () => {
  const now = new Date('2026-12-06T10:00:00Z');

  it('renders a project with timeline, approvals, heat map and events, escaping every value', () => {
    const d = detail();
    const health = computeHealth({ project: d.project, stages: d.stages, tasks: [], risks: d.risks, now });
    const events: ProjectEvent[] = [
      {
        entity: 'event',
        projectId: d.project.id,
        id: '1',
        at: '2026-12-04T15:00:00.000Z',
        type: 'stage.completed',
        stage: 'initiation',
        actor: 'system',
        summary: `Stage completed ${EVIL}`,
      },
    ];
    const page = projectPage({ detail: detailOf(d, health), events, now });
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;');
    expect(page).toContain('<svg viewBox=');
    expect(page).toContain('Amara Okafor');
    expect(page).toContain('approved');
    expect(page).not.toContain('SECRET');
    // Both risks sit in their likelihood x impact cells.
    expect(page).toMatch(/data-likelihood="2" data-impact="5">data-loss</);
    expect(page).toMatch(/data-likelihood="4" data-impact="4">lockout</);
    expect(page).toContain('Stage completed');
  });

  it('draws planned bars for stages with due dates and actual bars for started stages', () => {
    const d = detail();
    const health = computeHealth({ project: d.project, stages: d.stages, tasks: [], risks: [], now });
    const page = projectPage({ detail: detailOf(d, health), events: [], now });
    const planned = page.match(/<title>planned:/g) ?? [];
    const actual = page.match(/<title>actual:/g) ?? [];
    expect(planned.length).toBe(d.stages.filter((s) => s.due).length);
    expect(actual.length).toBe(2);
  });

  it('lists what still blocks the current stage, escaped', () => {
    const d = detail();
    const health = computeHealth({ project: d.project, stages: d.stages, tasks: [], risks: [], now });
    const blocked = projectPage({
      detail: detailOf(d, health, {
        criteria: { stage: 'resourcing', met: false, unmet: [`Deliverable "${EVIL}" is not done (to do).`] },
      }),
      events: [],
      now,
    });
    expect(blocked).toContain('<ul class="unmet"><li>Deliverable &quot;&lt;script&gt;');
    expect(blocked).not.toContain('<script>');
    const clear = projectPage({
      detail: detailOf(d, health, { criteria: { stage: 'resourcing', met: true, unmet: [] } }),
      events: [],
      now,
    });
    expect(clear).toContain('<dt>Exit criteria</dt><dd>hold</dd>');
  });

  it('lists deviations with their corrective action, or that one is needed, escaped', () => {
    const d = detail();
    const health = computeHealth({ project: d.project, stages: d.stages, tasks: [], risks: [], now });
    const page = projectPage({
      detail: detailOf(d, health, {
        deviations: [
          { key: 'spi', summary: `SPI below threshold ${EVIL}` },
          {
            key: 'overdue-stage:qa',
            summary: 'Stage QA is overdue',
            action: { action: `Add a tester ${EVIL}`, by: 'pm@msp.example', at: '2026-12-04T15:00:00.000Z' },
          },
        ],
      }),
      events: [],
      now,
    });
    expect(page).toContain('>Deviations</h2>');
    expect(page).toContain('<strong>needs a corrective action</strong>');
    expect(page).toContain('Add a tester &lt;script&gt;');
    expect(page).not.toContain('<script>');
    const none = projectPage({ detail: detailOf(d, health), events: [], now });
    expect(none).not.toContain('>Deviations</h2>');
  });

  it('lists every project on the portfolio with progress, RAG and reasons, waiting, overdue and next due', () => {
    const page = portfolioPage(
      [
        {
          id: 'acme',
          name: EVIL,
          customer: 'Acme',
          status: 'active',
          currentStage: 'risk',
          currentStageName: 'Risk Assessment & Mitigation',
          completedStages: 2,
          totalStages: 7,
          rag: 'amber',
          reasons: ['High risk <open>'],
          waitingOnCustomerSince: '2026-12-03T10:00:00.000Z',
          overdue: ['task Migrate & test (2 days)'],
          nextDue: { date: '2027-01-15', what: 'stage Risk' },
          customerWaitMs: 3 * 24 * 3_600_000,
        },
        {
          id: 'quiet',
          name: 'Quiet',
          customer: 'Quiet Ltd',
          status: 'active',
          currentStage: 'initiation',
          currentStageName: 'Initiation & Planning',
          completedStages: 0,
          totalStages: 7,
          rag: 'green',
          reasons: [],
          overdue: [],
          customerWaitMs: 0,
        },
      ],
      now,
    );
    expect(page).toContain('href="/projects/acme"');
    expect(page).toContain('High risk &lt;open&gt;');
    expect(page).toContain('since 2026-12-03');
    expect(page).toContain('task Migrate &amp; test (2 days)');
    expect(page).toContain('2027-01-15');
    expect(page).toContain('2/7 stages');
    expect(page).toContain('rag-amber');
    expect(page).toContain('Risk Assessment &amp; Mitigation');
    expect(page).not.toContain('<script>');
    // The waiting-on-client clock: since when, and the total; a project that never waited says so.
    const acme = page.slice(page.indexOf('href="/projects/acme"'), page.indexOf('href="/projects/quiet"'));
    expect(acme).toContain('since 2026-12-03');
    expect(acme).toContain('3 days in total');
    const quiet = page.slice(page.indexOf('href="/projects/quiet"'));
    expect(quiet).toContain('none so far');
    expect(quiet).not.toContain('since ');
  });

  it('shows the waiting-on-client clock per gate and for the project, with the forecast end', () => {
    const d = detail();
    const health = computeHealth({ project: d.project, stages: d.stages, tasks: [], risks: [], now });
    const done = projectPage({ detail: detailOf(d, health), events: [], now });
    expect(done).toContain('2 days 5 hours on the customer');
    expect(done).toContain('2 days 5 hours in total');
    const waiting = projectPage({
      detail: detailOf(
        {
          ...d,
          gates: [
            {
              ...d.gates[0]!,
              status: 'pending_approval',
              customerWait: { waiting: true, since: '2026-12-05T09:00:00.000Z', totalMs: 25 * 3_600_000 },
            },
          ],
        },
        { ...health, forecastEnd: '2027-02-27' },
        { customerWait: { waitingSince: '2026-12-05T09:00:00.000Z', totalMs: 25 * 3_600_000 } },
      ),
      events: [],
      now,
    });
    expect(waiting).toMatch(
      /Waiting on the customer<\/dt><dd>now, since 5 Dec 2026, 09:00; 1 day 1 hour in total; forecast end 2027-02-27/,
    );
    expect(waiting).toContain('waiting since 5 Dec 2026, 09:00, 1 day 1 hour on the customer');
  });

  it('renders each email of the outbox in a sandboxed frame with its links clickable', () => {
    const email = {
      messageId: 'm1',
      channel: 'email' as const,
      from: 'projects@msp.example',
      to: ['amara@acme.example'],
      subject: `Approve ${EVIL}`,
      text: 'Review:\nhttp://127.0.0.1:8080/approve/abc_DEF-123\n',
      html: '<p>Hi</p><a href="http://127.0.0.1:8080/approve/abc_DEF-123" style="color:red">Review</a><script>x()</script>',
      sentAt: '2026-12-04T15:00:00.000Z',
    };
    expect(emailLinks(email)).toEqual(['http://127.0.0.1:8080/approve/abc_DEF-123']);
    const page = outboxPage([email]);
    expect(page).toContain('<a href="http://127.0.0.1:8080/approve/abc_DEF-123"');
    expect(page).toMatch(
      /<iframe sandbox="allow-popups allow-popups-to-escape-sandbox"[^>]* srcdoc="&lt;p&gt;Hi/,
    );
    expect(page).not.toContain('<script>');
  });

  it('sends a strict policy: no scripts, no framing, no referrer', () => {
    const csp = CONSOLE_HEADERS['content-security-policy']!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(CONSOLE_HEADERS['referrer-policy']).toBe('no-referrer');
  });

  it('leaves closed risks out of the heat map', () => {
    const map = heatMap([makeRisk({ id: 'gone', likelihood: 5, impact: 5, status: 'closed' })]).value;
    expect(map).not.toContain('>gone<');
  });
});
