/**
 * The staff API as the CLI calls it: one method per route it uses, JSON in and out, every request
 * signed when the endpoint is in AWS. A refusal of the API becomes an ApiError with its status and
 * the API's `{ error, issues? }`; an endpoint that cannot be reached becomes an UnreachableError.
 */
import type { RequestSigner } from './sign.js';

/** Where the staff API is, and how its requests are signed (none for the local runtime). */
export interface Endpoint {
  /** Base URL of the application, e.g. `http://127.0.0.1:8080` or the deployed `ApiUrl`. */
  baseUrl: string;
  signer?: RequestSigner;
}

/** One wrong request field as the API names it. */
export interface ApiIssue {
  path: string;
  message: string;
}

/** The API answered with an error status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly issues: ApiIssue[] = [],
  ) {
    super(`${status} ${error}`);
    this.name = 'ApiError';
  }
}

/** The endpoint did not answer (nothing listening, DNS, TLS, time-out). */
export class UnreachableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnreachableError';
  }
}

/** The fields of a record the CLI reads and writes (the API sends more; they pass through). */
export interface VersionedRecord {
  id: string;
  version: number;
  [field: string]: unknown;
}

/** A team member as the API returns it: keyed by their email (lower case), not by an id. */
export interface MemberRecord {
  email: string;
  version: number;
  [field: string]: unknown;
}

/** The parts of `GET /api/projects/{id}` the CLI's commands use (the whole JSON is printed with --json). */
export interface ProjectDetail {
  id: string;
  name: string;
  customerName: string;
  currentStage: string;
  status: string;
  version: number;
  stages: {
    key: string;
    name: string;
    status: string;
    due?: string;
    startedAt?: string;
    completedAt?: string;
  }[];
  gates: {
    stage: string;
    round: number;
    status: string;
    rule: unknown;
    approvers: { email: string; name: string; decision?: string; decidedAt?: string }[];
  }[];
  tasks: VersionedRecord[];
  risks: VersionedRecord[];
  testCases: VersionedRecord[];
  deployments: VersionedRecord[];
  trainingSessions: VersionedRecord[];
  lessons?: VersionedRecord[];
  /** Team members (keyed by email) and resources. */
  team?: MemberRecord[];
  resources?: VersionedRecord[];
  criteria?: { stage: string; met: boolean; unmet: string[] };
  health: { rag: string; spi: number; cpi: number; reasons: string[] };
  deviations: { key: string; summary: string; action?: { action: string; by: string; at: string } }[];
  /** Money and hours against the budget (internal figures). */
  budget?: BudgetBurnView;
}

/** The budget burn the API returns with time entries and expenses (internal figures). */
export interface BudgetBurnView {
  currency: string;
  budget: number;
  budgetHours: number;
  hours: number;
  actualCost: number;
  billable: number;
  burnPercent: number;
  hoursBurnPercent: number;
  eac: number;
  vac: number;
  eacMethod: string;
  overBudget: boolean;
}

/** `POST /api/projects/{id}/time-entries`: the stored entry and the burn after it. */
export interface TimeEntryResult {
  id: string;
  person: string;
  date: string;
  hours: number;
  task?: string;
  note?: string;
  cost: number;
  burn: BudgetBurnView;
}

/** `POST /api/projects/{id}/expenses`: the stored expense and the burn after it. */
export interface ExpenseResult {
  id: string;
  date: string;
  description: string;
  amount: number;
  billable: boolean;
  burn: BudgetBurnView;
}

/** `GET /api/projects/{id}/time-entries`. */
export interface TimeEntryList {
  entries: TimeEntryResult[];
  expenses: Omit<ExpenseResult, 'burn'>[];
  burn: BudgetBurnView;
}

/** One row of `GET /api/projects`. */
export interface ProjectSummary {
  id: string;
  name: string;
  customer: string;
  currentStage: string;
  currentStageName: string;
  completedStages: number;
  totalStages: number;
  status: string;
  rag: string;
}

/** One document of `GET /api/projects/{id}/documents`. */
export interface DocumentSummary {
  id: string;
  kind: string;
  title: string;
  version: number;
  sha256: string;
  size: number;
  contentType: string;
  createdAt: string;
  versions: { version: number; sha256: string; size: number; createdAt: string }[];
}

/** One page of `GET /api/projects/{id}/events`. */
export interface EventPage {
  items: { id: string; at: string; type: string; stage?: string; actor: string; summary: string }[];
  cursor?: string;
}

/** One email of the local runtime's outbox. */
export interface OutboxEmail {
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  sentAt: string;
}

/** A generous limit for one request: API Gateway itself gives up after 30 s. */
const REQUEST_TIMEOUT_MS = 60_000;

/** Path segment: ids may hold characters with a meaning in URLs (deviation keys have `:`). */
const seg = (s: string) => encodeURIComponent(s);

/** Calls the staff API at one endpoint. */
/** A change request as GET /api/projects/{id}/change-requests lists it. */
export interface ChangeRequestItem {
  id: string;
  status: string;
  changes: { field: string; label: string; old: unknown; new: unknown }[];
  reason: string;
  impact: string;
  raisedBy: string;
  raisedAt: string;
  decision?: { decision: string; by: string; at: string; comment?: string };
  appliedBaseline?: number;
  staleFields?: string[];
  patch?: string;
}

export class StaffClient {
  constructor(
    private readonly endpoint: Endpoint,
    private readonly userAgent = 'milepost-cli',
  ) {}

  /** GET /api/projects */
  listProjects(): Promise<ProjectSummary[]> {
    return this.request('GET', '/api/projects');
  }

  /** GET /api/projects/{id} */
  getProject(id: string): Promise<ProjectDetail> {
    return this.request('GET', `/api/projects/${seg(id)}`);
  }

  /** GET /api/projects/{id}/events */
  listEvents(id: string, query: { cursor?: string; limit?: number; order?: string }): Promise<EventPage> {
    const params = new URLSearchParams();
    if (query.cursor) params.set('cursor', query.cursor);
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.order) params.set('order', query.order);
    const q = params.toString();
    return this.request('GET', `/api/projects/${seg(id)}/events${q ? `?${q}` : ''}`);
  }

  /** PUT /api/projects/{id}/tasks/{taskId} */
  putTask(id: string, taskId: string, body: Record<string, unknown>): Promise<VersionedRecord> {
    return this.request('PUT', `/api/projects/${seg(id)}/tasks/${seg(taskId)}`, body);
  }

  /** DELETE /api/projects/{id}/{segment}/{key}?version=N: the record as it was when removed. */
  removeRecord(id: string, segment: string, key: string, version: number): Promise<VersionedRecord> {
    return this.request('DELETE', `/api/projects/${seg(id)}/${segment}/${seg(key)}?version=${version}`);
  }

  /** PUT /api/projects/{id}/risks/{riskId} */
  putRisk(id: string, riskId: string, body: Record<string, unknown>): Promise<VersionedRecord> {
    return this.request('PUT', `/api/projects/${seg(id)}/risks/${seg(riskId)}`, body);
  }

  /** PUT /api/projects/{id}/team/{email} */
  putTeamMember(id: string, email: string, body: Record<string, unknown>): Promise<MemberRecord> {
    return this.request('PUT', `/api/projects/${seg(id)}/team/${seg(email)}`, body);
  }

  /** PUT /api/projects/{id}/resources/{resourceId} */
  putResource(id: string, resourceId: string, body: Record<string, unknown>): Promise<VersionedRecord> {
    return this.request('PUT', `/api/projects/${seg(id)}/resources/${seg(resourceId)}`, body);
  }

  /** PUT /api/projects/{id}/test-cases/{testId} */
  putTestCase(id: string, testId: string, body: Record<string, unknown>): Promise<VersionedRecord> {
    return this.request('PUT', `/api/projects/${seg(id)}/test-cases/${seg(testId)}`, body);
  }

  /** PUT /api/projects/{id}/deployments/{deploymentId} */
  putDeployment(id: string, deploymentId: string, body: Record<string, unknown>): Promise<VersionedRecord> {
    return this.request('PUT', `/api/projects/${seg(id)}/deployments/${seg(deploymentId)}`, body);
  }

  /** PUT /api/projects/{id}/training-sessions/{sessionId} */
  putTrainingSession(id: string, sessionId: string, body: Record<string, unknown>): Promise<VersionedRecord> {
    return this.request('PUT', `/api/projects/${seg(id)}/training-sessions/${seg(sessionId)}`, body);
  }

  /** POST /api/projects/{id}/stages/{stage}/submit */
  submitStage(id: string, stage: string): Promise<{ submitted: boolean; unmet: string[] }> {
    return this.request('POST', `/api/projects/${seg(id)}/stages/${seg(stage)}/submit`);
  }

  /** POST /api/projects/{id}/deviations/{key}/corrective-action */
  recordCorrectiveAction(
    id: string,
    key: string,
    action: string,
  ): Promise<{ key: string; action: string; by: string; at: string }> {
    return this.request('POST', `/api/projects/${seg(id)}/deviations/${seg(key)}/corrective-action`, {
      action,
    });
  }

  /** POST /api/projects/{id}/time-entries */
  recordTimeEntry(id: string, body: Record<string, unknown>): Promise<TimeEntryResult> {
    return this.request('POST', `/api/projects/${seg(id)}/time-entries`, body);
  }

  /** GET /api/projects/{id}/time-entries */
  listTimeEntries(id: string): Promise<TimeEntryList> {
    return this.request('GET', `/api/projects/${seg(id)}/time-entries`);
  }

  /** POST /api/projects/{id}/expenses */
  recordExpense(id: string, body: Record<string, unknown>): Promise<ExpenseResult> {
    return this.request('POST', `/api/projects/${seg(id)}/expenses`, body);
  }

  /** POST /api/projects/{id}/change-requests */
  raiseChangeRequest(id: string, body: Record<string, unknown>): Promise<{ id: string; status: string }> {
    return this.request('POST', `/api/projects/${seg(id)}/change-requests`, body);
  }

  /** GET /api/projects/{id}/change-requests */
  listChangeRequests(id: string): Promise<{ items: ChangeRequestItem[] }> {
    return this.request('GET', `/api/projects/${seg(id)}/change-requests`);
  }

  /** GET /api/projects/{id}/baseline */
  getBaseline(id: string): Promise<{ projectId: string; baseline: number; yaml: string }> {
    return this.request('GET', `/api/projects/${seg(id)}/baseline`);
  }

  /** GET /api/outbox (the local runtime only) */
  listOutbox(): Promise<OutboxEmail[]> {
    return this.request('GET', '/api/outbox');
  }

  /** PUT /api/projects/{id}/lessons/{lessonId} */
  putLesson(id: string, lessonId: string, body: Record<string, unknown>): Promise<VersionedRecord> {
    return this.request('PUT', `/api/projects/${seg(id)}/lessons/${seg(lessonId)}`, body);
  }

  /** GET /api/projects/{id}/documents */
  listDocuments(id: string): Promise<DocumentSummary[]> {
    return this.request('GET', `/api/projects/${seg(id)}/documents`);
  }

  /** GET /api/projects/{id}/documents/{documentId}[?version=N]: the bytes and what the API says they are. */
  async getDocument(
    id: string,
    documentId: string,
    version?: number,
  ): Promise<{
    bytes: Uint8Array;
    contentType: string;
    fileName?: string;
    version?: number;
    sha256?: string;
  }> {
    const q = version !== undefined ? `?version=${version}` : '';
    const { res, url } = await this.send(
      'GET',
      `/api/projects/${seg(id)}/documents/${seg(documentId)}${q}`,
      undefined,
      'application/pdf',
    );
    if (!res.ok) {
      const raw = await res.text();
      let parsed: unknown;
      try {
        parsed = raw ? JSON.parse(raw) : undefined;
      } catch {
        parsed = undefined;
      }
      throw apiErrorOf(res, parsed);
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    const contentType = res.headers.get('content-type') ?? '';
    if (!contentType.startsWith('application/pdf') && !contentType.startsWith('text/html'))
      throw new ApiError(
        res.status,
        `expected a document from GET ${url.pathname}, got ${contentType || 'nothing'}`,
      );
    const fileName = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1];
    const v = Number(res.headers.get('x-document-version'));
    const sha256 = res.headers.get('x-document-sha256') ?? undefined;
    return {
      bytes,
      contentType,
      ...(fileName ? { fileName } : {}),
      ...(Number.isInteger(v) && v > 0 ? { version: v } : {}),
      ...(sha256 ? { sha256 } : {}),
    };
  }

  /** Sends one request (signed when the endpoint has a signer) and returns its JSON. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const { res, url } = await this.send(method, path, body, 'application/json');
    const raw = await res.text();
    let parsed: unknown;
    try {
      parsed = raw ? JSON.parse(raw) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) throw apiErrorOf(res, parsed);
    if (parsed === undefined) {
      throw new ApiError(
        res.status,
        `expected JSON from ${method} ${url.pathname}, got ${res.headers.get('content-type') ?? 'nothing'}`,
      );
    }
    return parsed as T;
  }

  /** Sends one request (signed when the endpoint has a signer); the response is the caller's to read. */
  private async send(
    method: string,
    path: string,
    body: unknown,
    accept: string,
  ): Promise<{ res: Response; url: URL }> {
    const url = new URL(this.endpoint.baseUrl.replace(/\/+$/, '') + path);
    const text = body === undefined ? undefined : JSON.stringify(body);
    let headers: Record<string, string> = {
      accept,
      'user-agent': this.userAgent,
      ...(text !== undefined ? { 'content-type': 'application/json' } : {}),
    };
    if (this.endpoint.signer) {
      headers = await this.endpoint.signer({
        method,
        url,
        headers,
        ...(text !== undefined ? { body: text } : {}),
      });
    }
    // fetch sets Host from the URL, as signed; it may not be set by hand.
    const { host: _host, ...sent } = headers;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: sent,
        ...(text !== undefined ? { body: text } : {}),
        redirect: 'error',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (e) {
      throw new UnreachableError(`cannot reach ${url.origin} (${reasonOf(e)})`, { cause: e });
    }
    return { res, url };
  }
}

function apiErrorOf(res: Response, body: unknown): ApiError {
  const b = (body ?? {}) as { error?: unknown; message?: unknown; issues?: unknown };
  // The application answers `{ error, issues? }`; API Gateway itself answers `{ message }`.
  const message =
    typeof b.error === 'string'
      ? b.error
      : typeof b.message === 'string'
        ? b.message
        : res.statusText || 'error';
  const issues = Array.isArray(b.issues)
    ? b.issues.filter(
        (i): i is ApiIssue =>
          typeof i === 'object' && i !== null && typeof i.path === 'string' && typeof i.message === 'string',
      )
    : [];
  return new ApiError(res.status, message, issues);
}

/** Why a fetch failed, in a few words (the system error code when there is one). */
function reasonOf(e: unknown): string {
  if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError'))
    return 'no answer in 60 s';
  const cause =
    e instanceof Error ? (e.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return e instanceof Error ? e.message : String(e);
}
