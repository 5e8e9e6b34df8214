/**
 * The contract between each project's state machine and the lifecycle handler: the payload every
 * Task state sends (`action` says which use case runs) and what each action returns.
 * statemachines/ builds the Task Parameters from these names; functions/handlers/lifecycle.ts
 * parses them with `lifecycleEventSchema`.
 */
import * as z from 'zod/mini';
import './zod-english.js';

/** A string that is not empty. */
const filled = () => z.string().check(z.minLength(1));

/** Input of every execution: which project, and the stage to resume at (absent: the first). */
export const executionInputSchema = z.object({
  projectId: filled(),
  startAt: z.optional(filled()),
});
export type ExecutionInput = z.infer<typeof executionInputSchema>;

const base = { projectId: filled(), stage: filled() };

export const lifecycleEventSchema = z.discriminatedUnion('action', [
  /** Stage starts: record, notify. Returns EnterStageResult. */
  z.object({ action: z.literal('enterStage'), ...base, executionStartedAt: z.string() }),
  /** Gate task (.waitForTaskToken): store the token, evaluate criteria, send approval requests. */
  z.object({ action: z.literal('openGate'), ...base, taskToken: filled() }),
  /** The gate task timed out: remind undecided approvers, escalate past timeoutDays. Returns RemindGateResult. */
  z.object({ action: z.literal('remindGate'), ...base, executionStartedAt: z.string() }),
  /** The gate was rejected: record the rejection, the stage goes to rework, notify the PM. */
  z.object({
    action: z.literal('reworkStage'),
    ...base,
    error: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
  }),
  /**
   * The gate passed: complete the stage, then enter `next` (returns EnterStageResult) or, after
   * the last stage, close the project. The step between two gates of current definitions.
   */
  z.object({
    action: z.literal('advanceStage'),
    ...base,
    next: z.optional(filled()),
    executionStartedAt: z.string(),
  }),
  /** The gate passed: record completion, notify (definitions deployed before advanceStage). */
  z.object({ action: z.literal('completeStage'), ...base }),
  /** Start a fresh execution at `stage` (before the 1-year limit of Standard workflows). */
  z.object({ action: z.literal('continueAsNew'), ...base }),
  /** Every stage completed: close the project, send the close-out report (definitions before advanceStage). */
  z.object({ action: z.literal('closeProject'), projectId: filled() }),
]);
export type LifecycleEvent = z.infer<typeof lifecycleEventSchema>;
export type LifecycleAction = LifecycleEvent['action'];

export interface EnterStageResult {
  /** True when the execution is old enough that it should continue as a new execution. */
  continueAsNew: boolean;
  /** For the support stage: the ISO time the hypercare period ends (the state machine waits until then). */
  waitUntil?: string;
}
export interface RemindGateResult {
  continueAsNew: boolean;
}
/** Output of a gate task when it passes (the SendTaskSuccess output). */
export interface GatePassed {
  stage: string;
  round: number;
  decision: 'approved' | 'auto';
}

/**
 * Error name an enter (or advance) task fails with when the execution should continue as a new
 * one: the state machine catches it (a Catch costs no state on the happy path, a Choice would).
 */
export const CONTINUE_AS_NEW = 'ContinueAsNew';
/** Error name a rejected gate fails its task with. */
export const GATE_REJECTED = 'GateRejected';
/** Executions older than this continue as new (Standard workflows are limited to one year). */
export const CONTINUE_AS_NEW_AFTER_DAYS = 300;

/** Name of a project's state machine; the handler derives ARNs from a prefix + this. */
export function stateMachineName(projectId: string): string {
  return `milepost-${projectId}`;
}
/** Deterministic execution name: starting the same generation twice is a no-op. */
export function executionName(projectId: string, generation: number): string {
  return `${projectId}-g${generation}`;
}
