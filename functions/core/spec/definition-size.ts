/**
 * How big a project's state machine definition gets, known before anything is synthesized, so
 * that `milepost validate` (and `cdk synth`, which validates first) refuses a spec with too many
 * stages instead of CloudFormation refusing the deploy. Core imports no CDK: the figures below are
 * measured from the lifecycle builder (statemachines/lifecycle.ts), and
 * test/infra/definition-size.test.ts checks them against the definitions CDK really synthesizes.
 */

/**
 * Most bytes a lifecycle definition may take. Step Functions accepts definitions up to 1 MB, but
 * the definition is also a property of the project stack's CloudFormation template: keeping it at
 * a quarter of that leaves the template, its parameters and a future lifecycle room to grow.
 */
export const MAX_DEFINITION_BYTES = 256 * 1024;

/**
 * Bytes of the definition, measured with the longest lifecycle function ARN a deploy can have
 * (`LONGEST_FUNCTION_ARN_CHARS`): what every definition has, what each stage adds, what each
 * character of a stage key adds in that stage (state names and payloads repeat the key), and
 * what a stage that waits for a period (hypercare) adds.
 */
export const DEFINITION_BYTES = {
  base: 120,
  perStage: 4740,
  perKeyChar: 27,
  perPeriodStage: 200,
} as const;

/**
 * Characters of the longest lifecycle function ARN: `arn:aws-us-gov:lambda:us-gov-west-1:` (36)
 * + a 12-digit account + `:function:` + a function name of at most 64, rounded up.
 */
export const LONGEST_FUNCTION_ARN_CHARS = 140;

/**
 * Step Functions (Amazon States Language): a state's name is at most 80 characters. Each stage's
 * states are named `<key>: <what>` (statemachines/lifecycle.ts, stageStateNames), the longest
 * `<key>: continue as new after reminder?`, 33 characters after the key; so a stage key is at
 * most 80 - 33 = 47 characters, one less than the slug allows (48). test/infra/aws-limits.test.ts
 * checks this figure against the names the builder really gives.
 */
export const MAX_STAGE_KEY_CHARS = 47;

/** What of a stage the definition's size depends on. */
export interface SizedStage {
  key: string;
  waitsFor?: 'period';
}

/** Upper bound of the bytes of the lifecycle definition of these stages (compact JSON, as deployed). */
export function estimateDefinitionBytes(stages: readonly SizedStage[]): number {
  let bytes = DEFINITION_BYTES.base;
  for (const stage of stages) {
    bytes += DEFINITION_BYTES.perStage + DEFINITION_BYTES.perKeyChar * stage.key.length;
    if (stage.waitsFor === 'period') bytes += DEFINITION_BYTES.perPeriodStage;
  }
  return bytes;
}

/** Most stages a definition can hold when their keys are `keyChars` long on average. */
export function maxStagesFor(keyChars: number): number {
  const perStage = DEFINITION_BYTES.perStage + DEFINITION_BYTES.perKeyChar * keyChars;
  // One stage may wait for a period (support); count it so the figure is always reachable.
  return Math.floor(
    (MAX_DEFINITION_BYTES - DEFINITION_BYTES.base - DEFINITION_BYTES.perPeriodStage) / perStage,
  );
}

/**
 * The message when the stages' definition is over the limit; undefined when it fits. Names the
 * most stages a spec may have with keys as long as these.
 */
export function definitionSizeProblem(stages: readonly SizedStage[]): string | undefined {
  const bytes = estimateDefinitionBytes(stages);
  if (bytes <= MAX_DEFINITION_BYTES) return undefined;
  const averageKey = Math.ceil(stages.reduce((n, s) => n + s.key.length, 0) / Math.max(1, stages.length));
  return `${stages.length} stages make a state machine definition of about ${Math.ceil(bytes / 1024)} KB, more than the ${
    MAX_DEFINITION_BYTES / 1024
  } KB limit: at most ${maxStagesFor(averageKey)} stages with keys of ${averageKey} characters (${maxStagesFor(1)} with 1-character keys)`;
}
