/**
 * The HTTP application shared by the Lambda (API Gateway HTTP API) and the local server:
 * the approval pages (GET/POST /approve/{linkId}) and the staff API (/api/...). Thin: each route
 * calls one use case and renders its result. Errors never show a stack trace; secrets (link ids,
 * task tokens) never reach a log line: approval paths are not logged.
 */

import { handleApi, jsonError } from '../api/router.js';
import {
  decideResultPage,
  errorPage,
  notFoundPage,
  renderMethodNotAllowed,
  tooLargePage,
  viewResultPage,
} from '../core/pages/approval-pages.js';
import { DOCUMENT_HEADERS, type HtmlPage, PAGE_HEADERS } from '../core/pages/layout.js';
import type { Deps } from '../core/ports.js';
import { decideApproval } from '../core/use-cases/decide-approval.js';
import { type ApprovalOptions, viewApproval } from '../core/use-cases/view-approval.js';
import { viewApprovalDocument } from '../core/use-cases/view-approval-document.js';
import type { HttpRequest, HttpResponse } from './http-types.js';

/**
 * Largest approval form body accepted. The comment is limited to 2000 characters; form-encoded,
 * one character takes up to 9 bytes (3 UTF-8 bytes, each as %XX), so a valid form stays below
 * about 18 KiB. Larger bodies are refused before any lookup.
 */
export const MAX_FORM_BYTES = 32 * 1024;

export interface HttpAppOptions extends ApprovalOptions {}

/** Turns a rendered page into a response with the security headers of every page. */
export function pageResponse(page: HtmlPage, extraHeaders: Record<string, string> = {}): HttpResponse {
  return { status: page.status, headers: { ...PAGE_HEADERS, ...extraHeaders }, body: page.html };
}

const APPROVE = /^\/approve\/([^/]*)\/?$/;

/** Routes one request. Never throws. */
export async function handleHttp(
  deps: Deps,
  req: HttpRequest,
  options: HttpAppOptions = {},
): Promise<HttpResponse> {
  const method = req.method.toUpperCase();
  if (req.path === '/api' || req.path.startsWith('/api/')) {
    try {
      return await handleApi(deps, req);
    } catch (err) {
      deps.log.error('staff API failed', { error: err instanceof Error ? err.name : 'unknown' });
      return jsonError(500, 'internal error');
    }
  }
  const approve = APPROVE.exec(req.path);
  if (approve) {
    const linkId = safeDecode(approve[1] ?? '');
    try {
      if (method === 'GET' || method === 'HEAD') {
        const response =
          req.query.document === 'plan'
            ? await documentResponse(deps, linkId)
            : pageResponse(viewResultPage(await viewApproval(deps, linkId, options)));
        return method === 'HEAD' ? { ...response, body: '' } : response;
      }
      if (method === 'POST') {
        if (Buffer.byteLength(req.body, 'utf8') > MAX_FORM_BYTES) return pageResponse(tooLargePage());
        const form = parseForm(req.body);
        const result = await decideApproval(
          deps,
          {
            linkId,
            form,
            ...(req.headers.origin !== undefined ? { origin: req.headers.origin } : {}),
            ...(req.headers['sec-fetch-site'] !== undefined
              ? { secFetchSite: req.headers['sec-fetch-site'] }
              : {}),
          },
          options,
        );
        return pageResponse(decideResultPage(result, form));
      }
      return pageResponse(renderMethodNotAllowed(), { allow: 'GET, HEAD, POST' });
    } catch (err) {
      // The path holds the link id: log neither the path nor the error message.
      deps.log.error('approval page failed', { method, error: err instanceof Error ? err.name : 'unknown' });
      return pageResponse(errorPage());
    }
  }
  return pageResponse(notFoundPage());
}

/** The plan document version the link's gate asks about, or the neutral page. */
async function documentResponse(deps: Deps, linkId: string): Promise<HttpResponse> {
  const result = await viewApprovalDocument(deps, linkId);
  if (result.kind === 'neutral') return pageResponse(viewResultPage(result));
  return { status: 200, headers: { ...DOCUMENT_HEADERS }, body: result.html };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}

/** application/x-www-form-urlencoded -> first value of each field. */
export function parseForm(body: string): Record<string, string> {
  const form: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    if (key !== '__proto__' && !Object.hasOwn(form, key)) form[key] = value;
  }
  return form;
}
