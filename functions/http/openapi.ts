/**
 * The OpenAPI 3.1 document, generated from the mounted route declarations (routes.ts) and their
 * zod schemas, served at GET /api/openapi.json. Its security schemes say what the deployment does:
 * API Gateway's IAM authorizer checks an AWS Signature Version 4 on every staff API request; the
 * console's pages need the session cookie, which the app checks; the approval pages and this
 * document need none.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './exchange.js';

/** Name of the security scheme the routes with `auth: 'iam'` require. */
export const SIGV4_SCHEME = 'sigv4';
/** Name of the security scheme the console's routes (`auth: 'session'`) require. */
export const SESSION_SCHEME = 'session';

/** Registers the security scheme; call before generating the document. */
export function registerSecuritySchemes(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', SIGV4_SCHEME, {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description:
      'AWS Signature Version 4: sign each request with IAM credentials for the service `execute-api` (API Gateway IAM authorization). The local runtime needs no signature.',
    'x-amazon-apigateway-authtype': 'awsSigv4',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', SESSION_SCHEME, {
    type: 'apiKey',
    in: 'cookie',
    name: '__Host-milepost-session',
    description:
      'The console’s session: an HttpOnly, Secure, SameSite=Lax cookie set after signing in with the user pool’s managed login (`/auth/sign-in`), holding the verified Cognito ID token; it ends with the token. Locally the cookie is `milepost-session`, set by the local sign-in page (`/auth/local`). Forms also carry the session’s CSRF token.',
  });
}

/** The document of every route registered on `app`, served from `serverUrl`. */
export function generateOpenApi(app: OpenAPIHono<AppEnv>, serverUrl: string): unknown {
  return app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'milepost API',
      version: '1.0.0',
      description:
        'Projects, their stages, gates and approvals, and the records the exit criteria check; the approval pages stakeholders open from their emails. In AWS every staff API request is signed (IAM, SigV4); locally no signature is needed and the `x-milepost-actor` header names who acts.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: serverUrl || '/', description: 'This deployment' }],
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
  } as Parameters<OpenAPIHono<AppEnv>['getOpenAPI31Document']>[0]);
}
