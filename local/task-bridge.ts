/**
 * Step Functions Task states -> the lifecycle handler, in-process, as the Lambda integration
 * would invoke it: the event is the task's payload (`lifecyclePayload`), and the handler runs
 * with the same deps as every other handler of the runtime.
 */
import type { Deps } from '../functions/core/ports.js';
import { handleLifecycle } from '../functions/handlers/lifecycle.js';
import { lifecyclePayload } from '../statemachines/definition.js';
import type { TaskCall } from './sfn-local.js';

/** Runs around every Task call (fault injection in tests). */
export type AroundTask = (call: TaskCall, run: () => Promise<unknown>) => Promise<unknown>;

/**
 * The `invokeTask` of the local Step Functions service. `deps` answers undefined until the
 * runtime is wired (the SFN endpoint starts before the deps that need its endpoint exist).
 */
export function lifecycleTaskBridge(
  deps: () => Deps | undefined,
  aroundTask?: AroundTask,
): (call: TaskCall) => Promise<unknown> {
  return async (call) => {
    const run = () => {
      const ready = deps();
      if (!ready) throw new Error('the local runtime is not ready');
      let payload = lifecyclePayload(call.input);
      // $$.Execution.StartTime is the engine's real start; the handlers work on the (accelerated) clock.
      if (payload && typeof payload === 'object' && 'executionStartedAt' in payload) {
        payload = { ...payload, executionStartedAt: new Date(call.execution.startDate).toISOString() };
      }
      return handleLifecycle(ready, payload);
    };
    return aroundTask ? aroundTask(call, run) : run();
  };
}
