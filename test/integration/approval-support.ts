/**
 * Shared by the approval integration tests: a project whose initiation gate has approval links out
 * (round 1), and the approval page requests a person's browser makes (GET the page, POST its form).
 */

import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { newApprovalLink } from '../../functions/core/approval-links.js';
import type { ApprovalLink, DocumentRecord, Gate, Project } from '../../functions/core/model.js';
import type { GateRule } from '../../functions/core/spec/lifecycle.js';
import { publishDocument } from '../../functions/core/use-cases/publish-document.js';
import { handleHttp } from '../../functions/http/app.js';
import type { HttpRequest, HttpResponse } from '../../functions/http/exchange.js';
import { makeGate, makeProject, makeProjectSpec, makeStage, type TestStore } from '../support/dynamo.js';
import type { TestDeps } from '../support/fakes.js';

export const PM = 'pm@msp.example';

export interface Seeded {
  project: Project;
  gate: Gate;
  /** Link id per approver email (what the emails carry). */
  ids: Record<string, string>;
  links: ApprovalLink[];
}

export interface SeedOptions {
  /** The gate's task token. */
  taskToken: string;
  projectId?: string;
  projectName?: string;
  rule?: GateRule;
  approvers?: { email: string; name: string }[];
  submittedBy?: string;
  documentVersion?: number;
  /** The stage whose gate is seeded (default initiation). */
  stage?: string;
  /**
   * The round was requested on criteria found holding (`Gate.criteriaHeldAt` at the version the
   * seed writes), as requestApprovals records it; default: not recorded.
   */
  criteriaHeld?: boolean;
}

export const SPONSOR = { email: 'sponsor@acme.example', name: 'Amara Okafor' };

/** A project whose initiation gate (or `options.stage`'s) has approval links out (round 1). */
export async function seedApprovalGate(deps: TestDeps, options: SeedOptions): Promise<Seeded> {
  const spec = makeProjectSpec({
    id: options.projectId ?? 'acme-m365',
    ...(options.projectName ? { name: options.projectName } : {}),
  });
  const project = makeProject({ currentStage: 'initiation' }, spec);
  const resolved = project.stages.find((s) => s.key === (options.stage ?? 'initiation'))!;
  const approvers = options.approvers ?? [SPONSOR];
  const now = deps.clock.now();
  const made = approvers.map((a) =>
    newApprovalLink({
      projectId: project.id,
      stage: resolved.key,
      round: 1,
      approverEmail: a.email,
      approverName: a.name,
      now,
      linkTtlDays: deps.config.linkTtlDays,
    }),
  );
  const gate = makeGate({
    projectId: project.id,
    stage: resolved.key,
    round: 1,
    status: 'pending_approval',
    rule: options.rule ?? 'all',
    taskToken: options.taskToken,
    ...(options.documentVersion !== undefined ? { documentVersion: options.documentVersion } : {}),
    requestedAt: now.toISOString(),
    approvers: approvers.map((a, i) => ({ ...a, linkHash: made[i]?.link.linkHash })),
    // Created at version 0: the store writes version 1.
    ...(options.criteriaHeld ? { criteriaHeldAt: 1 } : {}),
  });
  const stage = makeStage({
    projectId: project.id,
    key: resolved.key,
    name: resolved.name,
    order: resolved.order,
    status: 'awaiting_approval',
    due: '2026-12-20',
    submittedAt: now.toISOString(),
    submittedBy: options.submittedBy ?? PM,
  });
  const links = made.map((m) => m.link);
  await deps.store.commit([project, stage, gate, ...links]);
  const ids = Object.fromEntries(made.map((m) => [m.link.approverEmail, m.id]));
  return { project, gate, ids, links };
}

export function approvalRequest(
  method: string,
  linkId: string,
  extra: Partial<HttpRequest> = {},
): HttpRequest {
  return { method, path: `/approve/${linkId}`, query: {}, headers: {}, body: '', ...extra };
}

/** GET /approve/{linkId}. */
export const getPage = (deps: TestDeps, linkId: string, query: Record<string, string> = {}) =>
  handleHttp(deps, approvalRequest('GET', linkId, { query }));

/** POST /approve/{linkId} from the page's own origin. */
export function postForm(
  deps: TestDeps,
  linkId: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<HttpResponse> {
  return handleHttp(
    deps,
    approvalRequest('POST', linkId, {
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: deps.config.publicBaseUrl,
        'sec-fetch-site': 'same-origin',
        ...headers,
      },
      body: new URLSearchParams(fields).toString(),
    }),
  );
}

export function nonceOf(page: HttpResponse): string {
  const match = /name="csrf" value="([^"]+)"/.exec(page.body);
  if (!match?.[1]) throw new Error('no CSRF field on the page');
  return match[1];
}

/** Every hidden field of the page's form (the CSRF nonce, the project and stage read hint). */
export function hiddenFields(page: HttpResponse): Record<string, string> {
  const fields = [...page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)];
  return Object.fromEntries(fields.map((m) => [m[1] ?? '', m[2] ?? '']));
}

/** GET the page, then POST its form with every field a browser sends. */
export async function decideViaPage(
  deps: TestDeps,
  linkId: string,
  decision: 'approve' | 'reject',
  comment = '',
) {
  return postForm(deps, linkId, { ...hiddenFields(await getPage(deps, linkId)), decision, comment });
}

/** Every item of the table (the whole state of the test's projects), sorted. */
export async function snapshot(ts: TestStore): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await ts.client.send(
      new ScanCommand({ TableName: ts.tableName, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items.sort((a, b) => `${a.PK}|${a.SK}`.localeCompare(`${b.PK}|${b.SK}`));
}

/**
 * Publishes `versions` versions of a project document (each with different content, so each is
 * a new version) through the real use case and renderer; returns the stored record.
 */
export async function seedDocumentVersions(
  deps: TestDeps,
  projectId: string,
  id: 'charter' | 'plan' | 'closeout',
  versions: number,
): Promise<DocumentRecord> {
  let record: DocumentRecord | undefined;
  for (let v = 1; v <= versions; v++) {
    record = await publishDocument(deps, {
      projectId,
      id,
      kind: id,
      title: `Seeded ${id}`,
      draft: {
        title: `Seeded ${id}`,
        projectName: projectId,
        author: 'Test MSP',
        meta: [`content ${v}`],
        sections: [{ heading: 'Body', blocks: [{ type: 'paragraph', text: `${id} text of version ${v}` }] }],
      },
      actor: 'test',
      eventType: `${id}_generated`,
    });
  }
  if (!record) throw new Error('no versions');
  return record;
}
