/**
 * The staff console: the portfolio (`/`), a project (`/projects/{id}`) with the forms of the PM's
 * actions, the edit pages of its records, document downloads and, where there is an outbox, the
 * emails sent (`/outbox`). Every route runs the session guard first (session.ts: sign-in, CSRF);
 * every change asks the authorization policy (core/authorization.ts) and is made by the same use
 * cases as the staff API, with the signed-in person as its actor. A form that fails validation
 * comes back with each error next to its field (400); a saved form redirects (303) to the page
 * that shows the change (POST-redirect-GET).
 */
import type { RouteConfig } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type * as z from 'zod';
import { mayChange, requireChangeAllowed, teamEmails } from '../core/authorization.js';
import { ConflictError, ForbiddenError, NotFoundError, StateError, ValidationError } from '../core/errors.js';
import type { Outbox } from '../core/outbox.js';
import { timeEntryFormPage } from '../core/pages/console/budget.js';
import { capacityPage } from '../core/pages/console/capacity.js';
import {
  changeRequestField,
  changeRequestFormPage,
  changeRequestInput,
} from '../core/pages/console/change-requests.js';
import {
  correctiveActionPage,
  type FormState,
  LINE_FIELDS,
  RECORD_FORMS,
  type RecordKind,
  recordFormPage,
} from '../core/pages/console/forms.js';
import { notFoundPage, type PageSession, refusedPage } from '../core/pages/console/layout.js';
import { outboxPage } from '../core/pages/console/outbox.js';
import { portfolioPage } from '../core/pages/console/portfolio.js';
import { formProject, formProjectOf, projectPage, timeFormProject } from '../core/pages/console/project.js';
import { removeRecordForm } from '../core/pages/console/remove.js';
import type { Deps } from '../core/ports.js';
import { listTimeEntries } from '../core/use-cases/list-time-entries.js';
import { raiseChangeRequest } from '../core/use-cases/raise-change-request.js';
import { recordCorrectiveAction } from '../core/use-cases/record-corrective-action.js';
import { recordTimeEntry } from '../core/use-cases/record-time-entry.js';
import { getCapacity } from '../core/use-cases/staff-get-capacity.js';
import { getDocument } from '../core/use-cases/staff-get-document.js';
import { getProjectDetail } from '../core/use-cases/staff-get-project.js';
import { listChangeRequests } from '../core/use-cases/staff-list-change-requests.js';
import { listProjectEvents } from '../core/use-cases/staff-list-events.js';
import { listProjectSummaries } from '../core/use-cases/staff-list-projects.js';
import { type RemovableEntity, removeProjectRecord } from '../core/use-cases/staff-remove-record.js';
import { staffSubmitStage } from '../core/use-cases/staff-submit-stage.js';
import { upsertDeployment } from '../core/use-cases/staff-upsert-deployment.js';
import { upsertLesson } from '../core/use-cases/staff-upsert-lesson.js';
import { upsertMember } from '../core/use-cases/staff-upsert-member.js';
import { upsertResource } from '../core/use-cases/staff-upsert-resource.js';
import { upsertRisk } from '../core/use-cases/staff-upsert-risk.js';
import { upsertTask } from '../core/use-cases/staff-upsert-task.js';
import { upsertTestCase } from '../core/use-cases/staff-upsert-test-case.js';
import { upsertTrainingSession } from '../core/use-cases/staff-upsert-training-session.js';
import { consolePage } from './console-response.js';
import type { AppEnv } from './exchange.js';
import { type Mount, mountRoute, type RouteFn } from './mount.js';
import { downloadResponse } from './responses.js';
import { ROUTES, type RouteDeclaration } from './routes.js';
import {
  changeRequestInputSchema,
  correctiveActionInputSchema,
  deploymentInputSchema,
  lessonInputSchema,
  memberEmailSchema,
  memberInputSchema,
  recordIdSchema,
  resourceInputSchema,
  riskInputSchema,
  taskInputSchema,
  testCaseInputSchema,
  timeEntryInputSchema,
  trainingSessionInputSchema,
} from './schemas.js';
import { formOf, pageSession, redirect, sessionGuard } from './session.js';
import type { SignIn } from './sign-in.js';

export { consolePage } from './console-response.js';

/** How many events the project page shows at a time. */
export const PAGE_EVENTS = 25;

/** What the project page says after a form, by the `notice` of its redirect. */
const NOTICES: Record<string, (ref: string) => string> = {
  task: (ref) => `Saved task ${ref}.`,
  risk: (ref) => `Saved risk ${ref}.`,
  member: (ref) => `Saved team member ${ref}.`,
  resource: (ref) => `Saved resource ${ref}.`,
  testCase: (ref) => `Saved test case ${ref}.`,
  deployment: (ref) => `Saved deployment ${ref}.`,
  training: (ref) => `Saved training session ${ref}.`,
  lesson: (ref) => `Saved lesson learned ${ref}.`,
  submitted: (ref) => `Submitted ${ref}: its gate has the submission.`,
  unmet: (ref) =>
    `${ref} was not submitted: the exit criteria listed under “Where it stands” do not hold yet.`,
  action: (ref) => `Recorded the corrective action for ${ref}.`,
  time: (ref) => `Recorded ${ref}.`,
  change: (ref) => `Raised change request ${ref}: the sponsor has been emailed a link to decide it.`,
  removed: (ref) => `Removed ${ref}; the project’s event log keeps it.`,
};

const NUMBER_FIELDS = new Set([
  'version',
  'estimateHours',
  'actualHours',
  'likelihood',
  'impact',
  'allocation',
  'quantity',
  'cost',
]);

/**
 * A record form as the staff API's input: numbers parsed, skills split at commas, lists one item
 * per line. A field left empty on a create form is left out (the default). On an edit form (it
 * posts the `version` read), a field the person emptied is emptied in the record: an optional
 * field is cleared, a list becomes empty, and a field every record has (a name, a number, a status)
 * is an error of its field; a field the post does not carry stays as it is. A number that is not
 * one is an error of its field.
 */
export function formInput(
  kind: RecordKind,
  form: Record<string, string>,
): { input: Record<string, unknown>; errors: Record<string, string> } {
  const names = [
    'version',
    ...RECORD_FORMS[kind]
      .fields({ id: '', name: '', stages: [], currentStage: '', team: [] })
      .map((f) => f.name),
  ];
  const editing = /^[1-9]\d*$/.test((form.version ?? '').trim());
  const input: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  const clear: string[] = [];
  for (const name of names) {
    const raw = (form[name] ?? '').trim();
    if (raw === '') {
      // Only a field the form sent counts as emptied: a post without it leaves the field alone.
      if (!editing || name === 'version' || !Object.hasOwn(form, name)) continue;
      if (RECORD_FORMS[kind].clearable.includes(name)) clear.push(name);
      else if (LINE_FIELDS.has(name) || name === 'skills') input[name] = [];
      else errors[name] = 'must not be empty: it cannot be cleared';
      continue;
    }
    if (LINE_FIELDS.has(name))
      input[name] = raw
        .split(/\r?\n/)
        .map((s) => s.trim())
        .filter(Boolean);
    else if (name === 'skills')
      input.skills = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (NUMBER_FIELDS.has(name)) {
      const n = Number(raw);
      if (/^-?\d+(\.\d+)?$/.test(raw) && Number.isFinite(n)) input[name] = n;
      else errors[name] = 'must be a number';
    } else input[name] = raw;
  }
  if (clear.length) input.clear = clear;
  return { input, errors };
}

/** Field errors from issues (`name: message`), first message per field. */
function fieldErrors(issues: { path: string; message: string }[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const name = issue.path.split('.')[0] || '(form)';
    errors[name] ??= issue.message;
  }
  return errors;
}

const SCHEMAS = {
  task: taskInputSchema,
  risk: riskInputSchema,
  member: memberInputSchema,
  resource: resourceInputSchema,
  testCase: testCaseInputSchema,
  deployment: deploymentInputSchema,
  training: trainingSessionInputSchema,
  lesson: lessonInputSchema,
} satisfies Record<RecordKind, z.ZodType>;

const SAVE = {
  task: (deps: Deps, p: string, id: string, input: never, actor: string) =>
    upsertTask(deps, p, id, input, actor),
  risk: (deps: Deps, p: string, id: string, input: never, actor: string) =>
    upsertRisk(deps, p, id, input, actor),
  member: (deps: Deps, p: string, id: string, input: never, actor: string) =>
    upsertMember(deps, p, id, input, actor),
  resource: (deps: Deps, p: string, id: string, input: never, actor: string) =>
    upsertResource(deps, p, id, input, actor),
  testCase: (deps: Deps, p: string, id: string, input: never, actor: string) =>
    upsertTestCase(deps, p, id, input, actor),
  deployment: (deps: Deps, p: string, id: string, input: never, actor: string) =>
    upsertDeployment(deps, p, id, input, actor),
  training: (deps: Deps, p: string, id: string, input: never, actor: string) =>
    upsertTrainingSession(deps, p, id, input, actor),
  lesson: (deps: Deps, p: string, id: string, input: never, actor: string) =>
    upsertLesson(deps, p, id, input, actor),
} satisfies Record<RecordKind, unknown>;

/** The record kind a console form removes. */
const REMOVED_ENTITY = {
  task: 'task',
  risk: 'risk',
  member: 'member',
  resource: 'resource',
  testCase: 'test_case',
  deployment: 'deployment',
  training: 'training_session',
  lesson: 'lesson',
} satisfies Record<RecordKind, RemovableEntity>;

/** Where on the project page each kind of record is listed. */
const ANCHORS = {
  task: 'tasks',
  risk: 'risks',
  member: 'team',
  resource: 'resources',
  testCase: 'test-cases',
  deployment: 'deployments',
  training: 'training',
  lesson: 'lessons',
} satisfies Record<RecordKind, string>;

/** A stored record as the values of its form. */
function storedValues(record: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) {
    if (Array.isArray(v)) values[k] = v.join(LINE_FIELDS.has(k) ? '\n' : ', ');
    else if (v !== undefined && v !== null && typeof v !== 'object') values[k] = String(v);
  }
  return values;
}

/** Mounts the console's routes behind the session guard (the outbox page only with an outbox). */
export function mountConsole(mount: Mount, deps: Deps, signIn: SignIn, outbox: Outbox | undefined): void {
  const guard = sessionGuard(deps, signIn, Boolean(outbox));
  const on = <R extends RouteConfig>(declaration: RouteDeclaration<R>, handler: RouteFn<R>) =>
    mountRoute(
      mount.app,
      declaration,
      async (c) => {
        try {
          return await handler(c);
        } catch (err) {
          const session = pageSession(c as unknown as Context<AppEnv>, Boolean(outbox));
          if (err instanceof NotFoundError) return consolePage(404, notFoundPage(session));
          if (err instanceof ForbiddenError) return consolePage(403, refusedPage(err.message, session));
          throw err;
        }
      },
      {
        middleware: [guard],
        // A path that cannot name a project or record names no page.
        hook: (result) => (result.success ? undefined : consolePage(404, notFoundPage())),
      },
    );
  const session = (c: unknown): PageSession => pageSession(c as Context<AppEnv>, Boolean(outbox));

  on(ROUTES.portfolioPage, async (c) =>
    consolePage(200, portfolioPage(await listProjectSummaries(deps), deps.clock.now(), session(c))),
  );

  on(ROUTES.capacityPage, async (c) =>
    consolePage(200, capacityPage(await getCapacity(deps, c.req.valid('query')), session(c))),
  );

  on(ROUTES.projectPage, async (c) => {
    const { id } = c.req.valid('param');
    const query = c.req.valid('query');
    const [detail, changeRequests, events, money] = await Promise.all([
      getProjectDetail(deps, id),
      listChangeRequests(deps, id),
      listProjectEvents(deps, id, {
        limit: PAGE_EVENTS,
        order: 'desc',
        ...(query.cursor ? { cursor: query.cursor } : {}),
      }).catch((err: unknown) => {
        // A cursor that is not one of ours: the newest page instead.
        if (query.cursor && !(err instanceof NotFoundError))
          return listProjectEvents(deps, id, { limit: PAGE_EVENTS, order: 'desc' });
        throw err;
      }),
      listTimeEntries(deps, id),
    ]);
    const notice = query.notice && NOTICES[query.notice]?.(query.ref ?? '');
    return consolePage(
      200,
      projectPage({
        detail,
        events: events.items,
        now: deps.clock.now(),
        session: session(c),
        mayChange: mayChange(c.get('user'), teamEmails(detail.team)),
        ...(events.cursor ? { olderEvents: events.cursor } : {}),
        ...(query.cursor ? { pagedEvents: true } : {}),
        ...(notice ? { notice } : {}),
        money: { entries: money.entries, expenses: money.expenses },
        changeRequests,
      }),
    );
  });

  on(ROUTES.documentDownload, async (c) => {
    const { id, documentId } = c.req.valid('param');
    const doc = await getDocument(deps, id, documentId, c.req.valid('query').version);
    return downloadResponse(doc.body, doc.contentType, doc.fileName);
  });

  /**
   * The edit page of one record: the stored values, and its Remove form (with `removeError` after
   * a removal that was refused or lost to a change: the page then shows the version stored now).
   */
  const editPage = async (
    c: Context<AppEnv>,
    kind: RecordKind,
    projectId: string,
    recordId: string,
    status = 200,
    removeError?: string,
  ) => {
    const form = RECORD_FORMS[kind];
    const detail = await getProjectDetail(deps, projectId);
    const list = {
      task: detail.tasks,
      risk: detail.risks,
      member: detail.team,
      resource: detail.resources,
      testCase: detail.testCases,
      deployment: detail.deployments,
      training: detail.trainingSessions,
      lesson: detail.lessons,
    }[kind];
    const record = (list as { id?: string; email?: string; version: number }[]).find((r) =>
      form.idField === 'email' ? r.email?.toLowerCase() === recordId.toLowerCase() : r.id === recordId,
    );
    if (!record) throw new NotFoundError(`${form.noun} ${recordId} not found`);
    const may = mayChange(c.get('user'), teamEmails(detail.team));
    const existing = { id: recordId, version: record.version };
    return consolePage(
      status,
      recordFormPage(
        kind,
        formProject(detail),
        { values: storedValues(record as unknown as Record<string, unknown>), errors: {} },
        session(c),
        existing,
        may ? undefined : 'You are not on this project’s team: saving will be refused.',
        removeRecordForm(kind, projectId, existing, session(c), removeError),
      ),
    );
  };

  const recordRoutes = (kind: RecordKind, page: RouteDeclaration, save: RouteDeclaration) => {
    const form = RECORD_FORMS[kind];
    const idName = page.route.path.match(/\{(\w+)\}$/)![1]!;
    on(page, async (c: Context<AppEnv>) => {
      const params = c.req.param() as Record<string, string>;
      return editPage(c, kind, params.id!, params[idName]!);
    });
    on(save, async (c: Context<AppEnv>) => {
      const projectId = (c.req.param() as Record<string, string>).id!;
      const user = c.get('user');
      const { project, members } = await requireChangeAllowed(deps, user, projectId);
      const values = await formOf(c);
      const fp = formProjectOf(project, members);
      const version = Number(values.version ?? '');
      const existing =
        values.version && Number.isInteger(version) && version > 0
          ? { id: values[form.idField] ?? '', version }
          : undefined;
      const again = (status: number, state: FormState) =>
        consolePage(status, recordFormPage(kind, fp, state, session(c), existing));
      const recordId = (values[form.idField] ?? '').trim();
      const idCheck = (form.idField === 'email' ? memberEmailSchema : recordIdSchema).safeParse(recordId);
      const { input, errors } = formInput(kind, values);
      if (!idCheck.success)
        errors[form.idField] = recordId ? (idCheck.error.issues[0]?.message ?? 'invalid') : 'required';
      const parsed = SCHEMAS[kind].safeParse(input);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? '(form)')] ??= issue.message;
      }
      if (Object.keys(errors).length || !parsed.success) return again(400, { values, errors });
      try {
        await SAVE[kind](deps, projectId, recordId, parsed.data as never, user.email);
      } catch (err) {
        if (err instanceof ValidationError) return again(400, { values, errors: fieldErrors(err.issues) });
        if (err instanceof ConflictError || err instanceof StateError)
          return again(409, { values, errors: {}, formError: `Not saved: ${err.message}.` });
        throw err;
      }
      const anchor = ANCHORS[kind];
      return redirect(
        `/projects/${encodeURIComponent(projectId)}?${new URLSearchParams({ notice: kind, ref: recordId })}#${anchor}`,
      );
    });
  };
  /** The Remove form of one kind of record: 303 to the project page, or the edit page with why not. */
  const removeRoute = (kind: RecordKind, declaration: RouteDeclaration) => {
    const idName = declaration.route.path.match(/\{(\w+)\}\/remove$/)![1]!;
    on(declaration, async (c: Context<AppEnv>) => {
      const params = c.req.param() as Record<string, string>;
      const projectId = params.id!;
      const recordId = params[idName]!;
      const user = c.get('user');
      await requireChangeAllowed(deps, user, projectId);
      const raw = ((await formOf(c)).version ?? '').trim();
      const version = /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : undefined;
      if (version === undefined)
        return editPage(
          c,
          kind,
          projectId,
          recordId,
          400,
          'Not removed: the form did not say which version was read.',
        );
      try {
        await removeProjectRecord(deps, {
          projectId,
          entity: REMOVED_ENTITY[kind],
          id: recordId,
          version,
          actor: user.email,
        });
      } catch (err) {
        if (err instanceof ConflictError || err instanceof StateError)
          return editPage(c, kind, projectId, recordId, 409, `Not removed: ${err.message}.`);
        throw err;
      }
      const ref = `${RECORD_FORMS[kind].noun} ${recordId}`;
      return redirect(
        `/projects/${encodeURIComponent(projectId)}?${new URLSearchParams({ notice: 'removed', ref })}#${ANCHORS[kind]}`,
      );
    });
  };
  removeRoute('task', ROUTES.taskRemove);
  removeRoute('risk', ROUTES.riskRemove);
  removeRoute('member', ROUTES.memberRemove);
  removeRoute('resource', ROUTES.resourceRemove);
  removeRoute('testCase', ROUTES.testCaseRemove);
  removeRoute('deployment', ROUTES.deploymentRemove);
  removeRoute('training', ROUTES.trainingRemove);
  removeRoute('lesson', ROUTES.lessonRemove);

  recordRoutes('task', ROUTES.taskPage, ROUTES.taskSave);
  recordRoutes('risk', ROUTES.riskPage, ROUTES.riskSave);
  recordRoutes('member', ROUTES.memberPage, ROUTES.memberSave);
  recordRoutes('resource', ROUTES.resourcePage, ROUTES.resourceSave);
  recordRoutes('testCase', ROUTES.testCasePage, ROUTES.testCaseSave);
  recordRoutes('deployment', ROUTES.deploymentPage, ROUTES.deploymentSave);
  recordRoutes('training', ROUTES.trainingPage, ROUTES.trainingSave);
  recordRoutes('lesson', ROUTES.lessonPage, ROUTES.lessonSave);

  on(ROUTES.submitStageForm, async (c) => {
    const { id, stage } = c.req.valid('param');
    const user = c.get('user');
    await requireChangeAllowed(deps, user, id);
    const project = await deps.store.getProject(id);
    const name = project?.stages.find((s) => s.key === stage)?.name ?? stage;
    try {
      const result = await staffSubmitStage(deps, id, stage, user.email);
      return redirect(
        `/projects/${encodeURIComponent(id)}?${new URLSearchParams({ notice: result.submitted ? 'submitted' : 'unmet', ref: name })}`,
      );
    } catch (err) {
      if (err instanceof StateError)
        return consolePage(
          409,
          refusedPage(`Not submitted: ${err.message}.`, session(c), `/projects/${encodeURIComponent(id)}`),
        );
      throw err;
    }
  });

  on(ROUTES.timeEntryForm, async (c) => {
    const { id } = c.req.valid('param');
    const user = c.get('user');
    await requireChangeAllowed(deps, user, id);
    const values = await formOf(c);
    const detail = await getProjectDetail(deps, id);
    const again = (status: number, state: FormState) =>
      consolePage(status, timeEntryFormPage(timeFormProject(detail), state, session(c)));
    const errors: Record<string, string> = {};
    const hoursText = (values.hours ?? '').trim();
    const hours = Number(hoursText);
    if (!/^\d+(\.\d+)?$/.test(hoursText) || !Number.isFinite(hours))
      errors.hours = 'must be a number of hours';
    const input = {
      person: (values.person ?? '').trim(),
      date: (values.date ?? '').trim(),
      hours,
      ...(values.task?.trim() ? { task: values.task.trim() } : {}),
      ...(values.note?.trim() ? { note: values.note.trim() } : {}),
    };
    const parsed = timeEntryInputSchema.safeParse(input);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? '(form)')] ??= issue.message;
    }
    if (Object.keys(errors).length || !parsed.success) return again(400, { values, errors });
    try {
      const { entry } = await recordTimeEntry(deps, id, parsed.data, user.email);
      return redirect(
        `/projects/${encodeURIComponent(id)}?${new URLSearchParams({ notice: 'time', ref: `${entry.hours} h of ${entry.person} on ${entry.date}` })}#budget`,
      );
    } catch (err) {
      if (err instanceof ValidationError) return again(400, { values, errors: fieldErrors(err.issues) });
      if (err instanceof ConflictError || err instanceof StateError)
        return again(409, { values, errors: {}, formError: `Not recorded: ${err.message}.` });
      throw err;
    }
  });

  on(ROUTES.correctiveActionForm, async (c) => {
    const { id, key } = c.req.valid('param');
    const user = c.get('user');
    await requireChangeAllowed(deps, user, id);
    const values = await formOf(c);
    const project = await deps.store.getProject(id);
    if (!project) throw new NotFoundError(`project ${id} not found`);
    const parsed = correctiveActionInputSchema.safeParse({ action: values.action ?? '' });
    const deviation = { key, summary: `Deviation ${key}` };
    if (!parsed.success)
      return consolePage(
        400,
        correctiveActionPage(
          project,
          deviation,
          {
            values,
            errors: fieldErrors(
              parsed.error.issues.map((i) => ({ path: String(i.path[0] ?? 'action'), message: i.message })),
            ),
          },
          session(c),
        ),
      );
    try {
      await recordCorrectiveAction(deps, id, key, parsed.data.action, user.email);
    } catch (err) {
      if (err instanceof StateError || err instanceof ConflictError)
        return consolePage(
          409,
          correctiveActionPage(
            project,
            deviation,
            { values, errors: {}, formError: `Not recorded: ${err.message}.` },
            session(c),
          ),
        );
      throw err;
    }
    return redirect(
      `/projects/${encodeURIComponent(id)}?${new URLSearchParams({ notice: 'action', ref: key })}#deviations`,
    );
  });

  on(ROUTES.changeRequestForm, async (c) => {
    const { id } = c.req.valid('param');
    const user = c.get('user');
    const { project, members } = await requireChangeAllowed(deps, user, id);
    const values = await formOf(c);
    const fp = formProjectOf(project, members);
    const again = (status: number, state: FormState) =>
      consolePage(status, changeRequestFormPage(fp, state, session(c)));
    const { input, errors } = changeRequestInput(values);
    const parsed = changeRequestInputSchema.safeParse(input);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        errors[changeRequestField(issue.path.join('.'))] ??= issue.message;
    }
    if (Object.keys(errors).length || !parsed.success) return again(400, { values, errors });
    let raised: { id: string };
    try {
      raised = await raiseChangeRequest(deps, id, parsed.data, user.email);
    } catch (err) {
      if (err instanceof ValidationError) {
        const fieldErrors: Record<string, string> = {};
        for (const issue of err.issues) fieldErrors[changeRequestField(issue.path)] ??= issue.message;
        return again(400, { values, errors: fieldErrors });
      }
      if (err instanceof StateError || err instanceof ConflictError)
        return again(409, { values, errors: {}, formError: `Not raised: ${err.message}.` });
      throw err;
    }
    return redirect(
      `/projects/${encodeURIComponent(id)}?${new URLSearchParams({ notice: 'change', ref: raised.id })}#change-requests`,
    );
  });

  if (outbox)
    on(ROUTES.outboxPage, async (c) => consolePage(200, outboxPage(await outbox.list(), session(c))));
}
