/**
 * The method and path of each approval route, for the approvals function's app: that function
 * must not load routes.ts (its OpenAPI declarations bring zod's classic API, the OpenAPI registry
 * and every staff schema). routes.ts declares `viewApproval` and `decideApproval` with these, so
 * each route is still declared once there, with `fn: 'approvals'`; a test checks the two agree.
 */

/** The approval routes by operationId: the emailed link's page (and HEAD) and its form's decision. */
export const APPROVAL_ROUTES = {
  viewApproval: { method: 'get', path: '/approve/{linkId}', head: true },
  decideApproval: { method: 'post', path: '/approve/{linkId}' },
} as const;
