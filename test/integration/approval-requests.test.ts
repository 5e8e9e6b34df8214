/**
 * The DynamoDB requests of an approving POST (real DynamoDB Local, counted on the client): what a
 * decision costs, by count. A decision that does not pass the gate reads the link with its records
 * and the document under approval in one request and commits in one; the one that passes reads the
 * project's current records once more, for the exit criteria as they hold now, unless the round
 * recorded that they held and the gate was not written since (Gate.criteriaHeldAt): then 2 too.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoProjectStore } from '../../functions/adapters/dynamo-store.js';
import { LEDGER_ID } from '../../functions/core/budget.js';
import type { Ledger } from '../../functions/core/model.js';
import {
  makeMember,
  makeResource,
  makeTask,
  makeTestCase,
  makeTestStore,
  type TestStore,
} from '../support/dynamo.js';
import { makeTestDeps, type TestDeps } from '../support/fakes.js';
import {
  getPage,
  hiddenFields,
  postForm,
  type SeedOptions,
  seedApprovalGate,
  seedDocumentVersions,
} from './approval-support.js';

const TOKEN = 'task-token-requests';
const SPONSOR = { email: 'sponsor@acme.example', name: 'Amara Okafor' };
const APPROVER = { email: 'approver@acme.example', name: 'Jenny Price' };

let ts: TestStore;
let deps: TestDeps;
/** The commands the store sent since the last reset, with the keys of each BatchGet. */
let sent: { command: string; keys?: string[] }[];

beforeEach(async () => {
  ts = await makeTestStore();
  sent = [];
  const counting = {
    send: (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const items = command.input['RequestItems'] as
        | Record<string, { Keys: { PK: string; SK: string }[] }>
        | undefined;
      const keys = items ? Object.values(items).flatMap((t) => t.Keys.map((k) => k.SK)) : undefined;
      sent.push({ command: command.constructor.name, ...(keys ? { keys } : {}) });
      return ts.client.send(command as never);
    },
  } as unknown as typeof ts.client;
  deps = makeTestDeps(new DynamoProjectStore(counting, ts.tableName));
});

afterEach(async () => {
  await ts.drop();
});

const seed = (options: Omit<SeedOptions, 'taskToken'>) =>
  seedApprovalGate(deps, { taskToken: TOKEN, ...options });

/** GETs the page (not counted), then POSTs its form: the commands of the POST alone. */
async function decide(linkId: string, decision: 'approve' | 'reject', comment = '', extra = {}) {
  const form = hiddenFields(await getPage(deps, linkId));
  sent.length = 0;
  const res = await postForm(deps, linkId, { ...form, ...extra, decision, comment });
  return { res, commands: sent.map((s) => s.command), sent: [...sent] };
}

describe('DynamoDB requests of an approving POST', () => {
  it('2 when the approval does not pass the gate, 3 when it does (the criteria read once)', async () => {
    const { ids, project } = await seed({ approvers: [SPONSOR, APPROVER], documentVersion: 1 });
    await seedDocumentVersions(deps, project.id, 'charter', 1);

    const first = await decide(ids[SPONSOR.email] ?? '', 'approve');
    expect(first.res.body).toContain('Thank you, your approval is recorded');
    expect(first.commands).toEqual(['BatchGetCommand', 'TransactWriteCommand']);
    // The charter under approval was read with the link, its project, stage and gate.
    expect(first.sent[0]?.keys).toEqual([
      'LINK',
      'PROJECT',
      'STAGE#initiation',
      'GATE#initiation',
      'DOCUMENT#charter',
    ]);
    expect((await ts.store.get(project.id, 'gate', 'initiation'))?.status).toBe('pending_approval');
    expect(deps.workflow.successes).toHaveLength(0);

    const second = await decide(ids[APPROVER.email] ?? '', 'approve');
    expect(second.res.body).toContain('Thank you, your approval is recorded');
    // One Query of the project's current records: the criteria (the budget criterion's ledger and
    // resources) read nothing else.
    expect(second.commands).toEqual(['BatchGetCommand', 'QueryCommand', 'TransactWriteCommand']);
    expect((await ts.store.get(project.id, 'gate', 'initiation'))?.status).toBe('approved');
    expect(deps.workflow.successes).toHaveLength(1);
  });

  it('2 when it passes the gate on the check its round recorded, carried on by the first decision', async () => {
    const { ids, project } = await seed({
      approvers: [SPONSOR, APPROVER],
      documentVersion: 1,
      criteriaHeld: true,
    });
    await seedDocumentVersions(deps, project.id, 'charter', 1);

    const first = await decide(ids[SPONSOR.email] ?? '', 'approve');
    expect(first.commands).toEqual(['BatchGetCommand', 'TransactWriteCommand']);
    const second = await decide(ids[APPROVER.email] ?? '', 'approve');
    expect(second.res.body).toContain('Thank you, your approval is recorded');
    expect(second.commands).toEqual(['BatchGetCommand', 'TransactWriteCommand']);
    expect((await ts.store.get(project.id, 'gate', 'initiation'))?.status).toBe('approved');
    expect(deps.workflow.successes).toHaveLength(1);
  });

  it('2 when a rejection decides the gate: no criteria are read', async () => {
    const { ids, project } = await seed({ approvers: [SPONSOR] });
    const { res, commands } = await decide(ids[SPONSOR.email] ?? '', 'reject', 'Scope is wrong');
    expect(res.body).toContain('your rejection is recorded');
    expect(commands).toEqual(['BatchGetCommand', 'TransactWriteCommand']);
    expect((await ts.store.get(project.id, 'gate', 'initiation'))?.status).toBe('rejected');
    expect(deps.workflow.failures).toHaveLength(1);
  });

  it('3 for a stage whose page and criteria read several kinds (QA: test cases, tasks, the ledger, resources)', async () => {
    const { ids, project } = await seed({ approvers: [SPONSOR], stage: 'qa' });
    await deps.store.commit([
      makeTestCase({ projectId: project.id }),
      makeTask({ projectId: project.id, id: 'uat', stage: 'qa', status: 'done' }),
      makeResource({ projectId: project.id }),
    ]);
    const { res, commands } = await decide(ids[SPONSOR.email] ?? '', 'approve');
    expect(res.body).toContain('Thank you, your approval is recorded');
    // The page's content (test cases, tasks) and the criteria come from the same Query.
    expect(commands).toEqual(['BatchGetCommand', 'QueryCommand', 'TransactWriteCommand']);
    expect((await ts.store.get(project.id, 'gate', 'qa'))?.status).toBe('approved');
  });

  it('checks the criteria as they are at the decision: a cost recorded after the page was shown stops the gate', async () => {
    const { ids, project } = await seed({ approvers: [SPONSOR] });
    await deps.store.commit([makeMember({ projectId: project.id })]);
    const form = hiddenFields(await getPage(deps, ids[SPONSOR.email] ?? ''));
    // Past the 18,500 budget once the page is open.
    const ledger: Ledger = {
      entity: 'ledger',
      projectId: project.id,
      id: LEDGER_ID,
      hours: 200,
      timeCost: 20_000,
      timeBillable: 24_000,
      expenses: 0,
      billableExpenses: 0,
      entries: 1,
      crossed: [],
      updatedAt: '2026-12-01T08:00:00.000Z',
      version: 0,
    };
    await deps.store.commit([ledger]);
    sent.length = 0;
    const res = await postForm(deps, ids[SPONSOR.email] ?? '', { ...form, decision: 'approve' });
    expect(res.body).not.toContain('Thank you');
    expect(sent.slice(0, 2).map((s) => s.command)).toEqual(['BatchGetCommand', 'QueryCommand']);
    const gate = await ts.store.get(project.id, 'gate', 'initiation');
    expect(gate).toMatchObject({ status: 'waiting', awaitingResubmission: true });
    expect(deps.workflow.successes).toHaveLength(0);
  });
});
