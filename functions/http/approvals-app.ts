/**
 * The application of the `approvals` function: the public approval pages only (the routes
 * routes.ts declares with `fn: 'approvals'`, at the method and path of approval-routes.ts). It is a
 * plain Hono app: no OpenAPI registry, no zod schemas of the staff API, no sign-in, so the
 * function an approver's first click starts loads little. The same app answers the approval
 * routes in the local runtime (app.ts dispatches them here).
 *
 * What no approval route matches: on an approval path with another method the 405 page (an empty
 * link id gets what any link that does not work gets); elsewhere the not-found page (API Gateway
 * sends this function nothing else).
 */
import { Hono } from 'hono';
import { neutralPage, notFoundPage, renderMethodNotAllowed } from '../core/pages/approval-pages.js';
import type { Deps } from '../core/ports.js';
import type { ApprovalOptions } from '../core/use-cases/view-approval.js';
import { type ApprovalPages, approvalPages } from './approval.js';
import { APPROVAL_ROUTES } from './approval-routes.js';
import { type AppEnv, type FetchApp, routingPath } from './exchange.js';
import { pageResponse } from './responses.js';

/** The longest `?document=` id read (the routes' declaration says the same); longer is the neutral page. */
export const MAX_DOCUMENT_ID = 100;

/** An approval path as received: `/approve/{linkId}`, the id possibly empty. */
const APPROVE = /^\/approve\/([^/]*)\/?$/;

export interface ApprovalsAppOptions {
  /** The approval pages' rules: self-approval, and the clock of the form's CSRF nonce. */
  approval?: ApprovalOptions;
}

/** `/approve/{linkId}` in Hono's syntax. */
const honoPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/** Builds the approvals function's application over the core's dependencies. */
export function createApprovalsApp(deps: Deps, options: ApprovalsAppOptions = {}): FetchApp {
  const app = new Hono<AppEnv>({
    getPath: (request, o) => routingPath(request, o?.env as AppEnv['Bindings'] | undefined),
  });
  const pages = approvalPages(deps, options.approval ?? {});
  mountApprovalPages(app, pages);

  app.notFound((c) => {
    const method = c.req.method.toUpperCase();
    const approve = APPROVE.exec(c.env?.path ?? c.req.path);
    if (approve) {
      // An empty link id is routed nowhere; it gets what any link that does not work gets.
      if (approve[1] === '' && (method === 'GET' || method === 'HEAD'))
        return pages.guarded(method, () => pages.view('', c.req.query('document')));
      if (approve[1] === '' && method === 'POST') return pages.guarded(method, () => pages.decide('', c));
      return pageResponse(renderMethodNotAllowed(), { allow: 'GET, HEAD, POST' });
    }
    return pageResponse(notFoundPage());
  });
  // The pages map their own errors; anything else is the runtime's to report (the local server
  // reports it and answers 500; the Lambda entry logs its name and answers 500).
  app.onError((err) => {
    throw err;
  });
  return app;
}

/** Mounts the approval routes: the page (GET, and HEAD from it) and the decision (POST). */
function mountApprovalPages(app: Hono<AppEnv>, pages: ApprovalPages): void {
  const view = APPROVAL_ROUTES.viewApproval;
  // Hono answers HEAD from the GET handler, without the body (mail scanners probe links).
  app.on(view.method.toUpperCase(), honoPath(view.path), (c) => {
    const document = c.req.query('document');
    // Any link id passes (a malformed one gets the neutral page from the use case); a document
    // id longer than any real one gets it here, before any lookup.
    if (document !== undefined && document.length > MAX_DOCUMENT_ID) return pageResponse(neutralPage());
    return pages.guarded(c.req.method, () => pages.view(c.req.param('linkId') ?? '', document));
  });
  const decide = APPROVAL_ROUTES.decideApproval;
  app.on(decide.method.toUpperCase(), honoPath(decide.path), (c) =>
    pages.guarded(c.req.method, () => pages.decide(c.req.param('linkId') ?? '', c)),
  );
}
