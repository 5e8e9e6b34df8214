/**
 * The delivery manager's daily portfolio digest: every active project by RAG (red first) with why,
 * the deviations nobody recorded a corrective action for, the approvals waiting longer than their
 * gate's timeout, and budget burn. Staff only (it goes to the MSP's delivery manager and the
 * platform's chat channel, never to a customer).
 */
import type { Rag } from '../health.js';
import { formatDay, subject } from './format.js';
import type { Block, Notification, NotificationContext } from './notification.js';

/** One active project as the digest shows it. */
export interface DigestProject {
  id: string;
  name: string;
  customer: string;
  stageName: string;
  /** The last monitoring check's RAG (absent before the first check). */
  rag?: Rag;
  reasons: string[];
  deviationsWithoutAction: { key: string; summary: string }[];
  overdueApprovals: { stageName: string; days: number; waitingFor: string[] }[];
  burn: {
    hours: number;
    budgetHours: number;
    hoursPercent: number;
    /** Money spent of the budget, once the project keeps a cost ledger. */
    money?: { spent: number; budget: number; currency: string; percent: number };
  };
}

export interface DigestInput {
  mspName: string;
  /** The digest's day in the platform's time zone (YYYY-MM-DD). */
  date: string;
  timezone: string;
  projects: DigestProject[];
  /** The console (staff only). */
  consoleUrl: string;
}

const ORDER: Record<Rag | 'unchecked', number> = { red: 0, amber: 1, green: 2, unchecked: 3 };

/** Projects red first, then amber, green and not yet checked; by name within each. */
export function byRag(projects: DigestProject[]): DigestProject[] {
  return [...projects].sort(
    (a, b) => ORDER[a.rag ?? 'unchecked'] - ORDER[b.rag ?? 'unchecked'] || a.name.localeCompare(b.name),
  );
}

function burnText(b: DigestProject['burn']): string {
  const hours = `${b.hours} of ${b.budgetHours} h (${b.hoursPercent} %)`;
  return b.money
    ? `${b.money.percent} % of ${b.money.budget} ${b.money.currency} spent; ${hours}`
    : `${hours}; money: not recorded`;
}

/** The digest for `to` (the delivery manager; none: only the chat channel). */
export function portfolioDigest(input: DigestInput, to: string[]): Notification {
  const ctx: NotificationContext = {
    mspName: input.mspName,
    projectName: 'Portfolio',
    customerName: input.mspName,
    timezone: input.timezone,
  };
  const projects = byRag(input.projects);
  const count = (rag: Rag) => projects.filter((p) => p.rag === rag).length;
  const title = `Portfolio digest ${formatDay(input.date) ?? input.date}`;
  const deviations = projects.flatMap((p) =>
    p.deviationsWithoutAction.map((d) => [p.name, d.summary, d.key]),
  );
  const approvals = projects.flatMap((p) =>
    p.overdueApprovals.map((a) => [p.name, a.stageName, `${a.days} day(s)`, a.waitingFor.join(', ') || '-']),
  );
  const blocks: Block[] = [
    {
      type: 'paragraph',
      text: `${projects.length} active project(s): ${count('red')} red, ${count('amber')} amber, ${count('green')} green${
        projects.some((p) => !p.rag) ? `, ${projects.filter((p) => !p.rag).length} not checked yet` : ''
      }.`,
    },
    { type: 'heading', text: 'Projects by RAG' },
    {
      type: 'table',
      columns: ['Project', 'RAG', 'Stage', 'Why'],
      rows: projects.map((p) => [
        `${p.name} (${p.customer})`,
        p.rag ? p.rag.toUpperCase() : 'not checked',
        p.stageName,
        p.reasons.slice(0, 3).join('; ') || 'on track',
      ]),
      empty: 'No active projects.',
    },
    { type: 'heading', text: 'Deviations without a corrective action' },
    {
      type: 'table',
      columns: ['Project', 'Deviation', 'Key'],
      rows: deviations,
      empty: 'Every open deviation has a corrective action.',
    },
    { type: 'heading', text: 'Approvals overdue' },
    {
      type: 'table',
      columns: ['Project', 'Stage', 'Waiting', 'Waiting for'],
      rows: approvals,
      empty: 'No approval has waited longer than its gate allows.',
    },
    { type: 'heading', text: 'Budget burn' },
    {
      type: 'table',
      columns: ['Project', 'Burn'],
      rows: projects.map((p) => [p.name, burnText(p.burn)]),
      empty: 'No active projects.',
    },
    { type: 'paragraph', text: `The console: ${input.consoleUrl}/`, fine: true },
  ];
  return {
    kind: 'portfolio-digest',
    to: to.map((email) => ({ email })),
    context: ctx,
    content: {
      subject: subject(ctx, `${title}: ${count('red')} red, ${count('amber')} amber`),
      title,
      blocks,
    },
  };
}
