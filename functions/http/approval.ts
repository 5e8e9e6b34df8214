/**
 * The approval pages (GET/HEAD/POST /approve/{linkId}): each route calls one use case and renders
 * its result (mounted by approvals-app.ts, the app of the approvals function). Errors never show a stack trace, and nothing here logs the path or an error's
 * message: the path holds the link id.
 */
import { decideResultPage, errorPage, tooLargePage, viewResultPage } from '../core/pages/approval-pages.js';
import type { Deps } from '../core/ports.js';
import { decideApproval } from '../core/use-cases/decide-approval.js';
import { type ApprovalOptions, viewApproval } from '../core/use-cases/view-approval.js';
import { viewApprovalDocument } from '../core/use-cases/view-approval-document.js';
import { downloadResponse, pageResponse } from './responses.js';

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
