/**
 * Lambda entry of the `http` function behind the HTTP API (API Gateway v2 payload): the staff API,
 * the console, its sign-in and the OpenAPI document (every route routes.ts gives `fn: 'http'`; the
 * approval pages are the approvals function's, handlers/approvals.ts). It adapts the event to an
 * HttpRequest (http/api-gateway.ts), runs it through the staff app (functions/http), adapts the response. The caller
 * identity of /api routes is the IAM principal API Gateway authorized
 * (requestContext.authorizer.iam); the console's routes check the session cookie in the app
 * (API Gateway hands cookies apart from the headers: they are joined into the Cookie header, and
 * Set-Cookie values go back in `cookies`). The app is built once per cold start.
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { type Env, readEnv } from '../adapters/config.js';
import { lambdaDeps } from '../composition/deps.js';
import { documentStore } from '../composition/documents.js';
import { emailNotifier } from '../composition/notifier.js';
import { lambdaRenderer } from '../composition/renderer.js';
import { dynamoStore } from '../composition/store.js';
import { sfnWorkflow } from '../composition/workflow.js';
import type { Deps } from '../core/ports.js';
import { answerEvent } from '../http/api-gateway.js';
import { createStaffApp, type HttpApp, type HttpAppOptions } from '../http/app.js';
import { cognitoSignIn } from '../http/sign-in.js';

// The event adapter is shared with the approvals function; kept importable from here.
export { type HttpApiEvent, toHttpRequest } from '../http/api-gateway.js';

/** One app per set of dependencies (in Lambda: one per cold start). */
const apps = new WeakMap<Deps, HttpApp>();
function appFor(deps: Deps, options: HttpAppOptions): HttpApp {
  let app = apps.get(deps);
  if (!app) {
    app = createStaffApp(deps, options);
    apps.set(deps, app);
  }
  return app;
}

/**
 * The app's options in AWS: the console with Cognito's managed login when the platform stack
 * configured the user pool (COGNITO_* variables), else the staff API only.
 */
export function awsHttpOptions(env: Env): HttpAppOptions {
  if (!env.COGNITO_USER_POOL_ID || !env.COGNITO_CLIENT_ID || !env.COGNITO_DOMAIN) return {};
  return {
    console: {
      signIn: cognitoSignIn({
        userPoolId: env.COGNITO_USER_POOL_ID,
        clientId: env.COGNITO_CLIENT_ID,
        domain: env.COGNITO_DOMAIN,
        baseUrl: env.PUBLIC_BASE_URL,
      }),
    },
  };
}

/** Handles one API Gateway v2 event with the given dependencies. Never throws. */
export function handleEvent(
  deps: Deps,
  event: unknown,
  options: HttpAppOptions = {},
): Promise<APIGatewayProxyResultV2> {
  return answerEvent(deps.log, () => appFor(deps, options), event);
}

/** Staff API and console: records, submits that pass gates (task success), approval emails, documents. */
const functionDeps = lambdaDeps({
  store: dynamoStore,
  workflow: sfnWorkflow,
  notifier: emailNotifier,
  documents: documentStore,
  renderer: lambdaRenderer,
});

let options: HttpAppOptions | undefined;
/** Lambda handler. */
export const handler = (event: unknown): Promise<APIGatewayProxyResultV2> => {
  const deps = functionDeps();
  if (!options) {
    try {
      options = awsHttpOptions(readEnv());
    } catch (err) {
      // A sign-in misconfiguration must not take the staff API down with it: it is served, the
      // console is not, and the error is logged (by name only).
      deps.log.error('console sign-in is misconfigured; the console is not served', {
        error: err instanceof Error ? err.name : 'unknown',
      });
      options = {};
    }
  }
  return handleEvent(deps, event, options);
};
