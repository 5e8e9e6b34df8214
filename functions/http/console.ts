/**
 * The staff console's pages: the portfolio (`/`), a project (`/projects/{id}`) and, where there is
 * an outbox, the emails sent (`/outbox`). They render the same use cases as the staff API
 * (listProjectSummaries, getProjectDetail, listProjectEvents): there is one read model. Served
 * where the app is asked to (the local runtime today; in AWS once staff sign in).
 */
import type { RouteConfig } from '@hono/zod-openapi';
import { NotFoundError } from '../core/errors.js';
import type { Outbox } from '../core/outbox.js';
import { CONSOLE_HEADERS, notFoundPage } from '../core/pages/console/layout.js';
import { outboxPage } from '../core/pages/console/outbox.js';
import { portfolioPage } from '../core/pages/console/portfolio.js';
import { projectPage } from '../core/pages/console/project.js';
import type { Deps } from '../core/ports.js';
import { getProjectDetail } from '../core/use-cases/staff-get-project.js';
import { listProjectEvents } from '../core/use-cases/staff-list-events.js';
import { listProjectSummaries } from '../core/use-cases/staff-list-projects.js';
import { type Mount, mountRoute, type RouteFn } from './mount.js';
import { htmlResponse } from './responses.js';
import { ROUTES, type RouteDeclaration } from './routes.js';

/** How many of the latest events the project page shows. */
export const PAGE_EVENTS = 25;

/** A console page with the console's security headers. */
export function consolePage(status: number, html: string): Response {
  return htmlResponse(status, html, CONSOLE_HEADERS);
}

/** Mounts the console pages (the outbox page only with an outbox). */
export function mountConsole(mount: Mount, deps: Deps, outbox: Outbox | undefined): void {
  const on = <R extends RouteConfig>(declaration: RouteDeclaration<R>, handler: RouteFn<R>) =>
    mountRoute(mount.app, declaration, handler, {
      // A path that cannot name a project names no page.
      hook: (result) => (result.success ? undefined : consolePage(404, notFoundPage())),
    });

  on(ROUTES.portfolioPage, async () =>
    consolePage(200, portfolioPage(await listProjectSummaries(deps), deps.clock.now())),
  );
  on(ROUTES.projectPage, async (c) => {
    const id = c.req.valid('param').id;
    try {
      const [detail, events] = await Promise.all([
        getProjectDetail(deps, id),
        listProjectEvents(deps, id, { limit: PAGE_EVENTS, order: 'desc' }),
      ]);
      return consolePage(200, projectPage({ detail, events: events.items, now: deps.clock.now() }));
    } catch (err) {
      if (err instanceof NotFoundError) return consolePage(404, notFoundPage());
      throw err;
    }
  });
  if (outbox) on(ROUTES.outboxPage, async () => consolePage(200, outboxPage(await outbox.list())));
}
