/**
 * The approval pages (GET/HEAD/POST /approve/{linkId}): each route calls one use case and renders
 * its result. Errors never show a stack trace, and nothing here logs the path or an error's
 * message: the path holds the link id.
 */
import {
  decideResultPage,
  errorPage,
  neutralPage,
  tooLargePage,
  viewResultPage,
} from '../core/pages/approval-pages.js';
import type { Deps } from '../core/ports.js';
import { decideApproval } from '../core/use-cases/decide-approval.js';
import { type ApprovalOptions, viewApproval } from '../core/use-cases/view-approval.js';
import { viewApprovalDocument } from '../core/use-cases/view-approval-document.js';
import { type Mount, mountRoute } from './mount.js';
import { downloadResponse, pageResponse } from './responses.js';
import { ROUTES } from './routes.js';

/**
 * Largest approval form body accepted. The comment is limited to 2000 characters; form-encoded,
 * one character takes up to 9 bytes (3 UTF-8 bytes, each as %XX), so a valid form stays below
 * about 18 KiB. Larger bodies are refused before any lookup.
 */
export const MAX_FORM_BYTES = 32 * 1024;

/** application/x-www-form-urlencoded -> first value of each field. */
export function parseForm(body: string): Record<string, string> {
  const form: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    if (key !== '__proto__' && !Object.hasOwn(form, key)) form[key] = value;
  }
  return form;
}

/** The approval pages' answers for a link id, shared by the declared routes and the app's fallback. */
export interface ApprovalPages {
  /** GET (and HEAD): the page, or with `document` the PDF the gate approves (charter, plan, close-out). */
  view(linkId: string, document: string | undefined): Promise<Response>;
  /** POST: the decision of the form. */
  decide(
    linkId: string,
    c: { req: { text(): Promise<string>; header(name: string): string | undefined } },
  ): Promise<Response>;
  /** Runs one of the above; a failure becomes the error page, logged without path or message. */
  guarded(method: string, answer: () => Promise<Response>): Promise<Response>;
}

/** The approval pages over the core's dependencies. */
export function approvalPages(deps: Deps, options: ApprovalOptions): ApprovalPages {
  return {
    async view(linkId, document) {
      if (document !== undefined) {
        const result = await viewApprovalDocument(deps, linkId, document);
        if (result.kind === 'neutral') return pageResponse(viewResultPage(result));
        return downloadResponse(result.body, result.contentType, result.fileName);
      }
      return pageResponse(viewResultPage(await viewApproval(deps, linkId, options)));
    },
    async decide(linkId, c) {
      const body = await c.req.text();
      if (Buffer.byteLength(body, 'utf8') > MAX_FORM_BYTES) return pageResponse(tooLargePage());
      const form = parseForm(body);
      const origin = c.req.header('origin');
      const secFetchSite = c.req.header('sec-fetch-site');
      const result = await decideApproval(
        deps,
        {
          linkId,
          form,
          ...(origin !== undefined ? { origin } : {}),
          ...(secFetchSite !== undefined ? { secFetchSite } : {}),
        },
        options,
      );
      return pageResponse(decideResultPage(result, form));
    },
    async guarded(method, answer) {
      try {
        return await answer();
      } catch (err) {
        // The path holds the link id: log neither the path nor the error message.
        deps.log.error('approval page failed', {
          method: method.toUpperCase(),
          error: err instanceof Error ? err.name : 'unknown',
        });
        return pageResponse(errorPage());
      }
    },
  };
}

/** Mounts the approval pages' declared routes. */
export function mountApprovalPages(mount: Mount, pages: ApprovalPages): void {
  // Any link id and query pass (a malformed id gets the neutral page from the use case).
  const hook = (result: { success: boolean }) => (result.success ? undefined : pageResponse(neutralPage()));
  // HEAD is answered from the GET handler, without the body (mail scanners probe links).
  mountRoute(
    mount.app,
    ROUTES.viewApproval,
    (c) =>
      pages.guarded(c.req.method, () =>
        pages.view(c.req.valid('param').linkId, c.req.valid('query').document),
      ),
    { hook },
  );
  mountRoute(
    mount.app,
    ROUTES.decideApproval,
    (c) => pages.guarded(c.req.method, () => pages.decide(c.req.valid('param').linkId, c)),
    { hook },
  );
}
