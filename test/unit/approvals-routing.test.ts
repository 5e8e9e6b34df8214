/**
 * Which function's code answers a request, from the route declarations: the approval routes
 * (routes.ts `fn: 'approvals'`) in the approvals app, at the method and path its light module
 * gives (approval-routes.ts), everything else in the staff app; the whole application (local
 * runtime, tests) dispatches by the same declarations, and the staff app alone serves no approval
 * page.
 */
import { describe, expect, it } from 'vitest';
import { newLinkId } from '../../functions/core/approval-links.js';
import { createHttpApp, createStaffApp, routeFunctionOf } from '../../functions/http/app.js';
import { APPROVAL_ROUTES } from '../../functions/http/approval-routes.js';
import { createApprovalsApp } from '../../functions/http/approvals-app.js';
import { type FetchApp, respond } from '../../functions/http/exchange.js';
import { ROUTES, type RouteDeclaration } from '../../functions/http/routes.js';
import { makeTestDeps } from '../support/fakes.js';
import { MemoryProjectStore } from '../support/memory-store.js';

describe('the route declarations', () => {
  it('name the approvals function for exactly the approval routes, at the approvals app’s method and path', () => {
    const approvals = (Object.entries(ROUTES) as [string, RouteDeclaration][]).filter(
      ([, d]) => d.fn === 'approvals',
    );
    expect(approvals.map(([id]) => id).sort()).toEqual(Object.keys(APPROVAL_ROUTES).sort());
    for (const [id, d] of approvals) {
      const light = APPROVAL_ROUTES[id as keyof typeof APPROVAL_ROUTES];
      expect(d.route.method, id).toBe(light.method);
      expect(d.route.path, id).toBe(light.path);
      expect(d.auth, id).toBe('none');
      expect(d.group, id).toBe('approval');
    }
    for (const d of Object.values(ROUTES) as RouteDeclaration[])
      if (d.group !== 'approval') expect(d.fn, d.route.operationId).toBe('http');
  });

  it('dispatch approval paths (whatever the method, an empty id too) to approvals, the rest to http', () => {
    for (const path of ['/approve/abc', '/approve/abc/', '/approve/', '/approve/a%2Fb'])
      expect(routeFunctionOf(path), path).toBe('approvals');
    for (const path of [
      '/approve',
      '/approve/a/b',
      '/approvex/abc',
      '/api/projects',
      '/api/openapi.json',
      '/',
      '/auth/sign-in',
      '/x/approve/abc',
    ])
      expect(routeFunctionOf(path), path).toBe('http');
  });
});

describe('the whole application', () => {
  it('answers approval paths with the approvals app and the staff API with the staff app', async () => {
    const deps = makeTestDeps(new MemoryProjectStore());
    const whole = createHttpApp(deps);
    const approvals = createApprovalsApp(deps);
    const staff = createStaffApp(deps);
    const call = (app: FetchApp, method: string, path: string) =>
      respond(app, { method, path, query: {}, headers: {}, body: '', caller: 'local' });
    const link = `/approve/${newLinkId()}`;
    for (const [method, path] of [
      ['GET', link],
      ['PUT', link],
      ['GET', '/approve/'],
    ] as const) {
      const res = await call(whole, method, path);
      expect(res, `${method} ${path}`).toEqual(await call(approvals, method, path));
    }
    expect(await call(whole, 'GET', '/api/projects')).toEqual(await call(staff, 'GET', '/api/projects'));
    // Apart, the staff app serves no approval page: a link there is simply not found.
    const alone = await call(staff, 'GET', link);
    expect(alone.status).toBe(404);
    expect(alone.body).not.toContain('This link is not valid');
    expect((await call(whole, 'GET', link)).body).toContain('This link is not valid');
  });
});
