/**
 * The OpenAPI 3.1 document, generated from the mounted route declarations (routes.ts) and their
 * zod schemas, served at GET /api/openapi.json. Its security scheme says what the deployment does:
 * API Gateway's IAM authorizer checks an AWS Signature Version 4 on every staff API request; the
 * approval pages and this document need none.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './exchange.js';

/** Name of the security scheme the routes with `auth: 'iam'` require. */
export const SIGV4_SCHEME = 'sigv4';

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
