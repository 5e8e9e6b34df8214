/**
 * The OpenAPI 3.1 document of the staff API, generated from the zod schemas the router validates
 * with (`z.toJSONSchema`), served at GET /api/openapi.json.
 */
import { z } from 'zod';
import {
  apiRegistry,
  deviationKeySchema,
  eventsQuerySchema,
  memberEmailSchema,
  projectIdSchema,
  recordIdSchema,
  stageKeySchema,
} from './schemas.js';

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const jsonContent = (id: string) => ({ 'application/json': { schema: ref(id) } });

/** Inline JSON Schema of one zod schema (no $schema key). */
function inline(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

const errors = {
  '400': { description: 'Invalid request: `issues` names each wrong field', content: jsonContent('Error') },
  '401': { description: 'Not authenticated', content: jsonContent('Error') },
  '404': { description: 'Project or record not found', content: jsonContent('Error') },
  '409': {
    description: 'Version conflict (read again and retry) or not allowed in the current state',
    content: jsonContent('Error'),
  },
};

const pathParam = (name: string, schema: z.ZodType, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: inline(schema),
});
const projectId = pathParam('id', projectIdSchema, 'Project id (the spec id)');

function upsertOperation(summary: string, idParam: object, input: string) {
  return {
    put: {
      summary,
      description:
        'Creates the record when it does not exist (omit `version` or send 0), otherwise updates the fields sent; updating needs the `version` that was read. The current stage gate re-checks its exit criteria afterwards.',
      parameters: [projectId, idParam],
      requestBody: { required: true, content: jsonContent(input) },
      responses: {
        '200': { description: 'Updated', content: jsonContent('Record') },
        '201': { description: 'Created', content: jsonContent('Record') },
        ...errors,
      },
      security: [{ sigv4: [] }],
    },
  };
}

let cached: Record<string, unknown> | undefined;

/** The OpenAPI document (built once). */
export function buildOpenApi(): Record<string, unknown> {
  if (cached) return cached;
  const generated = z.toJSONSchema(apiRegistry, {
    io: 'input',
    uri: (id) => `#/components/schemas/${id}`,
    unrepresentable: 'any',
  }) as { schemas: Record<string, Record<string, unknown>> };
  const schemas = Object.fromEntries(
    Object.entries(generated.schemas).map(([id, s]) => {
      const { $schema: _s, $id: _id, ...rest } = s;
      return [id, rest];
    }),
  );
  const query = inline(eventsQuerySchema) as { properties: Record<string, unknown> };
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'milepost staff API',
      version: '1.0.0',
      description:
        'Projects, their stages, gates and approvals, and the records the exit criteria check. In AWS every request is signed (IAM, SigV4); locally no signature is needed and the `x-milepost-actor` header names who acts.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths: {
      '/api/projects': {
        get: {
          summary: 'List projects with current stage, status and RAG',
          responses: {
            '200': { description: 'Projects', content: jsonContent('ProjectList') },
            '401': errors['401'],
          },
          security: [{ sigv4: [] }],
        },
      },
      '/api/projects/{id}': {
        get: {
          summary: 'A project with its stages, gates, approvals, risks, tasks, team, resources and documents',
          parameters: [projectId],
          responses: {
            '200': { description: 'The project', content: jsonContent('ProjectDetail') },
            '401': errors['401'],
            '404': errors['404'],
          },
          security: [{ sigv4: [] }],
        },
      },
      '/api/projects/{id}/events': {
        get: {
          summary: 'The project event log, paged',
          parameters: [
            projectId,
            ...Object.entries(query.properties).map(([name, schema]) => ({
              name,
              in: 'query',
              required: false,
              schema,
            })),
          ],
          responses: {
            '200': { description: 'One page of events', content: jsonContent('EventPage') },
            '400': errors['400'],
            '401': errors['401'],
            '404': errors['404'],
          },
          security: [{ sigv4: [] }],
        },
      },
      '/api/projects/{id}/tasks/{taskId}': upsertOperation(
        'Add or update a task or deliverable',
        pathParam('taskId', recordIdSchema, 'Task or deliverable id'),
        'TaskInput',
      ),
      '/api/projects/{id}/risks/{riskId}': upsertOperation(
        'Add or update a risk',
        pathParam('riskId', recordIdSchema, 'Risk id'),
        'RiskInput',
      ),
      '/api/projects/{id}/team/{email}': upsertOperation(
        'Add or update a team member',
        pathParam('email', memberEmailSchema, 'Team member email'),
        'TeamMemberInput',
      ),
      '/api/projects/{id}/resources/{resourceId}': upsertOperation(
        'Add or update a resource',
        pathParam('resourceId', recordIdSchema, 'Resource id'),
        'ResourceInput',
      ),
      '/api/projects/{id}/deviations/{key}/corrective-action': {
        post: {
          summary: 'Record the corrective action for an open deviation',
          description:
            'Deviations are found by the monitoring check (their keys are in `monitoring.openDeviations` of the project). The action stays with the deviation while it is open; a new one replaces it. 404 when no such deviation is open.',
          parameters: [
            projectId,
            pathParam('key', deviationKeySchema, 'Deviation key, e.g. overdue-stage:qa'),
          ],
          requestBody: { required: true, content: jsonContent('CorrectiveActionInput') },
          responses: {
            '200': { description: 'The recorded action', content: jsonContent('CorrectiveAction') },
            ...errors,
          },
          security: [{ sigv4: [] }],
        },
      },
      '/api/projects/{id}/stages/{stage}/submit': {
        post: {
          summary: 'Submit the current stage for its gate',
          description:
            'Checks the exit criteria; when they hold the gate requests approvals (or advances an automatic gate). `unmet` lists the criteria that do not hold. 409 when the stage is not the current one.',
          parameters: [projectId, pathParam('stage', stageKeySchema, 'Stage key')],
          responses: {
            '200': { description: 'Submit result', content: jsonContent('SubmitResult') },
            ...errors,
          },
          security: [{ sigv4: [] }],
        },
      },
      '/api/openapi.json': {
        get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1 document' } } },
      },
    },
    components: {
      schemas,
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description: 'AWS Signature Version 4 (API Gateway IAM authorization)',
        },
      },
    },
  };
  return cached;
}
