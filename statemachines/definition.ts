/**
 * The plain ASL JSON that CDK synthesized for a project, read from its template
 * (`definitionFromTemplate`; infra/definitions.ts builds the templates in-process). The local
 * runtime executes exactly these definitions, with the lifecycle function's ARN replaced by
 * `LOCAL_LIFECYCLE_FUNCTION` (every Task state is then overridden by name).
 */

/** Stands for the lifecycle function in definitions run locally. */
export const LOCAL_LIFECYCLE_FUNCTION = 'arn:aws:lambda:local:000000000000:function:milepost-lifecycle';

/** Values of the pseudo parameters in definitions run locally. */
const LOCAL_PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'local',
  'AWS::AccountId': '000000000000',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** An Amazon States Language document (JSONPath). */
export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  Comment?: string;
  TimeoutSeconds?: number;
  [key: string]: unknown;
}
export interface AslState {
  Type: string;
  [key: string]: unknown;
}

interface TemplateResource {
  Type?: string;
  Properties?: Record<string, unknown>;
}

/**
 * The definition of a state machine in a synthesized template: its `DefinitionString` with the
 * Fn::Join resolved, pseudo parameters given local values, and the lifecycle function's ARN (the
 * only resource a lifecycle definition refers to: Fn::GetAtt, Fn::ImportValue or Ref) replaced by
 * `LOCAL_LIFECYCLE_FUNCTION`. `logicalId` picks the state machine; default: the first one.
 */
export function definitionFromTemplate(template: object, logicalId?: string): AslDefinition {
  const resources = ((template as { Resources?: Record<string, TemplateResource> }).Resources ??
    {}) as Record<string, TemplateResource>;
  const entry = Object.entries(resources).find(
    ([id, r]) =>
      r.Type === 'AWS::StepFunctions::StateMachine' && (logicalId === undefined || id === logicalId),
  );
  if (!entry) {
    throw new Error(`no state machine${logicalId ? ` with logical id ${logicalId}` : ''} in the template`);
  }
  const [id, resource] = entry;
  const raw = resource.Properties?.DefinitionString;
  const references = new Set<string>();
  const text = renderString(raw, (token) => {
    const key = JSON.stringify(token);
    const ref = (token as { Ref?: unknown }).Ref;
    if (typeof ref === 'string' && ref in LOCAL_PSEUDO_PARAMETERS) return LOCAL_PSEUDO_PARAMETERS[ref]!;
    references.add(key);
    return LOCAL_LIFECYCLE_FUNCTION;
  });
  if (references.size > 1) {
    throw new Error(
      `state machine ${id} refers to ${references.size} resources (${[...references].join(', ')}); a lifecycle definition refers only to the lifecycle function`,
    );
  }
  return JSON.parse(text) as AslDefinition;
}

function renderString(value: unknown, token: (t: object) => string): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join) return join[1].map((part) => renderString(part, token)).join(join[0]);
    return token(value);
  }
  throw new Error(`unexpected DefinitionString part: ${JSON.stringify(value)}`);
}

/**
 * The lifecycle event a Task state sends, from the effective input the local engine gives an
 * overridden Task: request/response tasks send the payload itself, the gate
 * (`lambda:invoke.waitForTaskToken`) sends `{ FunctionName, Payload }`.
 */
export function lifecyclePayload(taskInput: unknown): unknown {
  if (taskInput && typeof taskInput === 'object' && 'FunctionName' in taskInput && 'Payload' in taskInput) {
    return (taskInput as { Payload: unknown }).Payload;
  }
  return taskInput;
}
