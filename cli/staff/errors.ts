/**
 * Failures of the staff commands as one line: `<what>: <why>`, e.g.
 * `task tenant: version conflict, read it again and retry` or `task tenant: --estimate: must not be
 * negative`. The API's field paths are named as the options a user typed.
 */
import { ApiError, UnreachableError } from './client.js';
import { EndpointError } from './endpoint.js';
import { clean } from './format.js';

/** A failure of a command, already said in one line (printed as `milepost: <line>`). */
export class CommandError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CommandError';
  }
}

/** The options of the CLI that carry a field of the API's bodies and paths. */
const FLAG_OF: Record<string, string> = {
  name: '--name',
  stage: '--stage',
  status: '--status',
  estimateHours: '--estimate',
  actualHours: '--hours',
  waiverReason: '--waiver-reason',
  assignee: '--assignee',
  due: '--due',
  type: '--type',
  version: '--version',
  title: '--title',
  likelihood: '--likelihood',
  impact: '--impact',
  owner: '--owner',
  mitigation: '--mitigation',
  reviewBy: '--review-by',
  category: '--category',
  steps: '--step',
  expectedResult: '--expected',
  result: '--result',
  evidence: '--evidence',
  tester: '--tester',
  windowStart: '--window-start',
  windowEnd: '--window-end',
  rollbackPlan: '--rollback-plan',
  resultNotes: '--result-notes',
  deployedBy: '--deployed-by',
  date: '--date',
  audience: '--audience',
  attendees: '--attendee',
  materials: '--material',
  trainer: '--trainer',
  whatHappened: '--what-happened',
  recommendation: '--recommendation',
  role: '--role',
  allocation: '--allocation',
  skills: '--skill',
  kind: '--kind',
  quantity: '--quantity',
  cost: '--cost',
  testId: 'test case id',
  deploymentId: 'deployment id',
  sessionId: 'training session id',
  email: 'team member email',
  resourceId: 'resource id',
  limit: '--limit',
  cursor: '--cursor',
  order: '--order',
  'query.limit': '--limit',
  'query.cursor': '--cursor',
  'query.order': '--order',
  id: 'project id',
  taskId: 'task id',
  riskId: 'risk id',
  key: 'deviation key',
  action: 'action',
};

/** A field path of the API as the user knows it (`estimateHours` -> `--estimate`, `path.taskId` -> `task id`). */
export function fieldName(path: string): string {
  const bare = path.replace(/^(?:param|params|path)\./, '');
  // One item of a list a repeated option gives (`skills.1` -> `--skill (item 2)`).
  const item = /^(.+)\.(\d+)$/.exec(bare);
  const list = item?.[1] !== undefined ? FLAG_OF[item[1]] : undefined;
  if (item && list) return `${list} (item ${Number(item[2]) + 1})`;
  return FLAG_OF[path] ?? FLAG_OF[bare] ?? bare;
}

/** One line for a failed request, about `context` (e.g. `task tenant`). */
export function describeFailure(context: string, err: unknown): CommandError {
  const say = (why: string) => new CommandError(clean(`${context}: ${why}`), { cause: err });
  if (err instanceof CommandError) return err;
  if (err instanceof EndpointError || err instanceof UnreachableError)
    return new CommandError(clean(err.message), { cause: err });
  if (err instanceof Error && err.name === 'CredentialsProviderError')
    return new CommandError(
      'no AWS credentials: sign in (aws sso login, or AWS_PROFILE / AWS_ACCESS_KEY_ID) and try again',
      { cause: err },
    );
  if (!(err instanceof ApiError))
    return say(err instanceof Error ? err.message.split('\n')[0]! : String(err));
  if (err.status === 400 && err.issues.length)
    return say(err.issues.map((i) => `${fieldName(i.path)}: ${i.message}`).join('; '));
  if (err.status === 401 || err.status === 403) {
    // API Gateway's IAM authorizer refuses unsigned, wrongly signed or unauthorised requests.
    return say(
      `the API refused the request (${err.status} ${err.error}): check your AWS credentials and region, and that they may call execute-api:Invoke on this API`,
    );
  }
  if (err.status === 404 && err.error === 'Not Found')
    return say('not found: is the endpoint a milepost API? (404 from the server)');
  if (err.status >= 500) return say(`the API failed (${err.status} ${err.error}); try again`);
  return say(err.error);
}
