/**
 * Test helpers: a store on a fresh table of the DynamoDB Local that the global setup started,
 * and factories for valid fixtures (spec, project and its records).
 */

import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { DynamoProjectStore, type DynamoProjectStoreOptions } from '../../functions/adapters/dynamo-store.js';
import { createTableInput } from '../../functions/adapters/table-definition.js';
import type {
  ApprovalLink,
  DeploymentRecord,
  Gate,
  Project,
  Resource,
  Risk,
  Stage,
  Stakeholder,
  Task,
  TeamMember,
  TestCase,
  TrainingSession,
} from '../../functions/core/model.js';
import {
  type ProjectSpec,
  type ProjectSpecInput,
  projectSpecSchema,
  resolveStages,
} from '../../functions/core/spec/schema.js';
import { stagesOf } from '../../functions/core/use-cases/staff-list-projects.js';
import { executionName } from '../../functions/core/workflow-contract.js';

export interface TestStore {
  store: DynamoProjectStore;
  client: DynamoDBDocumentClient;
  tableName: string;
  endpoint: string;
  /** Deletes the table (optional: DynamoDB Local runs in memory for the test run). */
  drop(): Promise<void>;
}

/** Creates a uniquely named table in the test run's DynamoDB Local and a store over it. */
export async function makeTestStore(options: DynamoProjectStoreOptions = {}): Promise<TestStore> {
  const endpoint = inject('dynamodbEndpoint');
  const raw = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const tableName = `test-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  await raw.send(new CreateTableCommand(createTableInput(tableName)));
  return {
    store: new DynamoProjectStore(client, tableName, options),
    client,
    tableName,
    endpoint,
    drop: async () => {
      await raw.send(new DeleteTableCommand({ TableName: tableName }));
    },
  };
}

/** The raw input of a valid spec (all seven standard stages), for tests that parse specs themselves. */
export function projectSpecInput(overrides: Partial<ProjectSpecInput> = {}): ProjectSpecInput {
  return {
    id: 'acme-m365',
    name: 'Microsoft 365 migration',
    customer: { name: 'Acme Dental', timezone: 'Europe/London' },
    msp: { name: 'Northwind Managed IT' },
    objectives: ['Move mail to Microsoft 365'],
    requirements: ['Data stays in the UK'],
    scope: { in: ['12 mailboxes'], out: ['Phone system'] },
    deliverables: [
      { id: 'tenant', name: 'Configured tenant', stage: 'execution', acceptance: 'CIS baseline applied' },
      { id: 'cutover', name: 'Mail cut-over', stage: 'deployment', acceptance: 'MX points to M365' },
    ],
    timeline: { start: '2026-12-01', end: '2027-02-26' },
    budget: { currency: 'GBP', amount: 18500, hours: 160 },
    stakeholders: [
      { name: 'Amara Okafor', email: 'sponsor@acme.example', role: 'sponsor' },
      { name: 'Jenny Price', email: 'approver@acme.example', role: 'approver' },
      { name: 'Tom Reid', email: 'informed@acme.example', role: 'informed' },
    ],
    team: [
      {
        name: 'Priya Shah',
        email: 'pm@msp.example',
        role: 'project manager',
        skills: ['planning'],
        allocation: 30,
      },
      {
        name: 'Marco Rossi',
        email: 'eng@msp.example',
        role: 'engineer',
        skills: ['exchange'],
        allocation: 80,
      },
    ],
    communication: {
      channels: ['email'],
      statusReport: { every: 'week', day: 'friday', at: '16:00' },
    },
    requiredSkills: ['exchange'],
    resources: [{ kind: 'software', name: 'M365 Business Premium', quantity: 12, cost: 2640 }],
    risks: [
      {
        id: 'data-loss',
        title: 'Mail lost during migration',
        likelihood: 2,
        impact: 5,
        owner: 'Marco Rossi',
        mitigation: 'Full export before cut-over',
      },
      { id: 'mfa-lockout', title: 'Staff locked out by MFA', likelihood: 3, impact: 3 },
    ],
    support: { days: 14 },
    ...overrides,
  };
}

/** A valid, parsed ProjectSpec; `overrides` replace top-level fields before parsing. */
export function makeProjectSpec(overrides: Partial<ProjectSpecInput> = {}): ProjectSpec {
  return projectSpecSchema.parse(projectSpecInput(overrides));
}

const NOW = '2026-12-01T09:00:00.000Z';

/** A new (version 0) project record for `spec`, at its first stage. */
export function makeProject(
  overrides: Partial<Project> = {},
  spec: ProjectSpec = makeProjectSpec(),
): Project {
  const stages = resolveStages(spec);
  return {
    entity: 'project',
    id: spec.id,
    name: spec.name,
    customerName: spec.customer.name,
    timezone: spec.customer.timezone,
    mspName: spec.msp?.name ?? 'Your MSP',
    spec,
    stages,
    status: 'active',
    currentStage: stages[0]?.key ?? 'initiation',
    generation: 0,
    executionName: executionName(spec.id, 0),
    createdAt: NOW,
    updatedAt: NOW,
    version: 0,
    ...overrides,
  };
}

/** The stage records of a project (all pending, version 0). */
export function makeStages(project: Project): Stage[] {
  return stagesOf(project, []);
}

export function makeStage(overrides: Partial<Stage> = {}): Stage {
  return {
    entity: 'stage',
    projectId: 'acme-m365',
    key: 'initiation',
    name: 'Initiation & Planning',
    order: 0,
    status: 'pending',
    reworkCount: 0,
    version: 0,
    ...overrides,
  };
}

export function makeGate(overrides: Partial<Gate> = {}): Gate {
  return {
    entity: 'gate',
    projectId: 'acme-m365',
    stage: 'initiation',
    round: 0,
    status: 'waiting',
    rule: 'all',
    approvers: [{ email: 'sponsor@acme.example', name: 'Amara Okafor' }],
    openedAt: NOW,
    reminders: 0,
    version: 0,
    ...overrides,
  };
}

export function makeLink(overrides: Partial<ApprovalLink> = {}): ApprovalLink {
  return {
    entity: 'link',
    linkHash: randomBytes(32).toString('base64url'),
    projectId: 'acme-m365',
    stage: 'initiation',
    round: 1,
    approverEmail: 'sponsor@acme.example',
    approverName: 'Amara Okafor',
    status: 'pending',
    csrfSecret: randomBytes(32).toString('base64url'),
    createdAt: NOW,
    expiresAt: Math.floor(Date.parse(NOW) / 1000) + 21 * 86_400,
    version: 0,
    ...overrides,
  };
}

export function makeTask(overrides: Partial<Task> = {}): Task {
  return {
    entity: 'task',
    projectId: 'acme-m365',
    id: 'tenant',
    type: 'deliverable',
    name: 'Configured tenant',
    stage: 'execution',
    status: 'todo',
    estimateHours: 0,
    actualHours: 0,
    version: 0,
    ...overrides,
  };
}

export function makeRisk(overrides: Partial<Risk> = {}): Risk {
  return {
    entity: 'risk',
    projectId: 'acme-m365',
    id: 'data-loss',
    title: 'Mail lost during migration',
    likelihood: 2,
    impact: 5,
    owner: 'Marco Rossi',
    mitigation: 'Full export before cut-over',
    status: 'open',
    version: 0,
    ...overrides,
  };
}

export function makeMember(overrides: Partial<TeamMember> = {}): TeamMember {
  return {
    entity: 'member',
    projectId: 'acme-m365',
    email: 'eng@msp.example',
    name: 'Marco Rossi',
    role: 'engineer',
    skills: ['exchange'],
    allocation: 80,
    version: 0,
    ...overrides,
  };
}

/** The team member records registration writes for the project's spec `team`. */
export function makeTeam(project: Project): TeamMember[] {
  return project.spec.team.map((m) =>
    makeMember({
      projectId: project.id,
      email: m.email.toLowerCase(),
      name: m.name,
      role: m.role,
      skills: m.skills ?? [],
      allocation: m.allocation,
    }),
  );
}

export function makeStakeholder(overrides: Partial<Stakeholder> = {}): Stakeholder {
  return {
    entity: 'stakeholder',
    projectId: 'acme-m365',
    email: 'sponsor@acme.example',
    name: 'Amara Okafor',
    role: 'sponsor',
    version: 0,
    ...overrides,
  };
}

export function makeResource(overrides: Partial<Resource> = {}): Resource {
  return {
    entity: 'resource',
    projectId: 'acme-m365',
    id: 'm365-business-premium',
    kind: 'software',
    name: 'M365 Business Premium',
    quantity: 12,
    cost: 2640,
    version: 0,
    ...overrides,
  };
}

export function makeTestCase(overrides: Partial<TestCase> = {}): TestCase {
  return {
    entity: 'test_case',
    projectId: 'acme-m365',
    id: 'mail-flow',
    name: 'Mail flows in and out',
    category: 'functional',
    steps: ['Send a mail from outside', 'Reply to it'],
    expectedResult: 'Both arrive within a minute',
    result: 'passed',
    evidence: 'https://evidence.example/mail-flow.png',
    tester: 'Marco Rossi',
    testedAt: '2026-12-01T09:00:00.000Z',
    version: 0,
    ...overrides,
  };
}

export function makeDeployment(overrides: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return {
    entity: 'deployment',
    projectId: 'acme-m365',
    id: 'cutover',
    name: 'Mailbox cut-over',
    windowStart: '2026-12-05T18:00:00.000Z',
    windowEnd: '2026-12-05T22:00:00.000Z',
    steps: ['Switch MX records', 'Final sync'],
    rollbackPlan: 'Point MX back to the old server',
    result: 'succeeded',
    deployedBy: 'Marco Rossi',
    version: 0,
    ...overrides,
  };
}

export function makeTrainingSession(overrides: Partial<TrainingSession> = {}): TrainingSession {
  return {
    entity: 'training_session',
    projectId: 'acme-m365',
    id: 'front-desk',
    title: 'Outlook and Teams basics',
    date: '2026-12-06',
    audience: 'front-desk staff',
    attendees: ['Jo Smith', 'Ana Lee'],
    materials: ['https://training.example/outlook.pdf'],
    version: 0,
    ...overrides,
  };
}
