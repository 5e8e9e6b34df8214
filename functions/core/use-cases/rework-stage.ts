/**
 * Send a stage back to rework after its gate was rejected (the state machine's Catch of
 * GateRejected).
 *
 * Input: projectId, stage key, the task error ({ Error, Cause }: Cause carries the rejection
 * comments). Output: nothing.
 * Steps: the stage goes to rework (reworkCount + 1); the gate goes back to `waiting`, flagged as
 * waiting for the PM's resubmission (criteria alone no longer send requests); event `stage_rework`
 * with the comment; all in one commit. Then the team gets an email. Only a rejected gate is
 * reworked: a repeat (Lambda retry) after the commit changes nothing and sends nothing, also when
 * the PM has resubmitted meanwhile (the new round's links stay valid).
 */
import { NotFoundError } from '../errors.js';
import { requireActive, requireProject, resolvedStage, withConflictRetry } from '../events.js';
import { reworkNotice } from '../notifications/notices.js';
import { notify } from '../notifications/notify.js';
import { loadPeople, notificationContext, uniqueEmails } from '../notifications/people.js';
import type { Deps } from '../ports.js';

export interface ReworkStageInput {
  projectId: string;
  stage: string;
  error?: { Error?: string; Cause?: string };
}

/** Longest rejection comment kept in the event log and the email. */
const MAX_COMMENT = 4000;

export async function reworkStage(deps: Deps, input: ReworkStageInput): Promise<void> {
  const { projectId } = input;
  const comment = input.error?.Cause?.slice(0, MAX_COMMENT);
  const outcome = await withConflictRetry(async () => {
    const project = await requireProject(deps, projectId);
    requireActive(project);
    resolvedStage(project, input.stage);
    const [stage, gate] = await Promise.all([
      deps.store.get(projectId, 'stage', input.stage),
      deps.store.get(projectId, 'gate', input.stage),
    ]);
    if (!stage || !gate) throw new NotFoundError(`stage ${input.stage} of ${projectId} has no open gate`);
    // Only a rejected round goes to rework. Anything else is a retry of this step after its commit
    // (the gate already waits for the resubmit, or the PM has resubmitted and a new round is out):
    // nothing changes and nothing is sent again.
    if (gate.status !== 'rejected') {
      deps.log.info('rework already recorded for this rejection', {
        projectId,
        stage: stage.key,
        round: gate.round,
      });
      return undefined;
    }
    const at = deps.clock.now().toISOString();
    await deps.store.commit(
      [
        { ...stage, status: 'rework', reworkCount: stage.reworkCount + 1 },
        { ...gate, status: 'waiting', awaitingResubmission: true },
      ],
      [
        {
          projectId,
          stage: stage.key,
          type: 'stage_rework',
          actor: 'system',
          at,
          summary: `Gate of ${stage.name} rejected in round ${gate.round}; the stage is back in rework`,
          data: { round: gate.round, ...(comment ? { comment } : {}) },
        },
      ],
    );
    return { project, stage, round: gate.round };
  });
  if (!outcome) return;

  const { project, stage, round } = outcome;
  const people = await loadPeople(deps, project);
  await notify(deps, projectId, stage.key, [
    reworkNotice({
      ctx: notificationContext(project, deps.config),
      to: uniqueEmails(people.team),
      stageName: stage.name,
      round,
      ...(comment ? { comment } : {}),
    }),
  ]);
}
