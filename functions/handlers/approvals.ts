/**
 * Lambda entry of the `approvals` function: the public approval pages behind the HTTP API
 * (GET/HEAD/POST /approve/{linkId}, the routes routes.ts gives `fn: 'approvals'`), apart from the
 * staff API so that an approver's first click starts a small function, under a role of its own
 * with only what the pages need, and with its own reserved concurrency. It adapts the API Gateway
 * v2 event (http/api-gateway.ts), runs it through the approvals app (http/approvals-app.ts) and
 * adapts the response; the app is built once per cold start. Nothing here logs the path (it holds
 * the link id).
 *
 * Ports: the table; the workflow (the decision that settles a gate sends the waiting task its
 * success or failure); email (the withdrawal notice when a gate's criteria stopped holding; a
 * gate's new approval requests); the documents bucket (the PDF a gate approves) and the renderer:
 * a change request approved while a gate waits on its approvers re-baselines the project, and the
 * gate's document is published again on the new baseline before its approvers are asked again
 * (renew-gate-approvals.ts). No chat channel.
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { lambdaDeps } from '../composition/deps.js';
import { documentStore } from '../composition/documents.js';
import { emailOnlyNotifier } from '../composition/notifier.js';
import { lambdaRenderer } from '../composition/renderer.js';
import { dynamoStore } from '../composition/store.js';
import { sfnWorkflow } from '../composition/workflow.js';
import type { Deps } from '../core/ports.js';
import { answerEvent } from '../http/api-gateway.js';
import { type ApprovalsAppOptions, createApprovalsApp } from '../http/approvals-app.js';
import type { FetchApp } from '../http/exchange.js';

/** One app per set of dependencies (in Lambda: one per cold start). */
const apps = new WeakMap<Deps, FetchApp>();

/** Handles one API Gateway v2 event of an approval route with the given dependencies. Never throws. */
export function handleApprovalEvent(
  deps: Deps,
  event: unknown,
  options: ApprovalsAppOptions = {},
): Promise<APIGatewayProxyResultV2> {
  return answerEvent(
    deps.log,
    () => {
      let app = apps.get(deps);
      if (!app) {
        app = createApprovalsApp(deps, options);
        apps.set(deps, app);
      }
      return app;
    },
    event,
  );
}

const functionDeps = lambdaDeps({
  store: dynamoStore,
  workflow: sfnWorkflow,
  notifier: emailOnlyNotifier,
  documents: documentStore,
  renderer: lambdaRenderer,
});

/** Lambda handler. */
export const handler = (event: unknown): Promise<APIGatewayProxyResultV2> =>
  handleApprovalEvent(functionDeps(), event);
