/**
 * Add or update a team member (PUT /api/projects/{id}/team/{email}).
 * Input: name, role, skills, allocation (percent); the version read. Output: the stored member.
 * Steps: see staff-upsert.ts. The email (lower case) is the member's id. When the allocation was
 * given, the other projects whose resourcing gate counts this person's allocation check it again
 * (recheck-capacity-gates.ts), after this project's own gate.
 */
import type { TeamMember } from '../model.js';
import type { Deps } from '../ports.js';
import { recheckCapacityGates } from './recheck-capacity-gates.js';
import {
  type RecordFields,
  requireOnCreate,
  type UpsertResult,
  upsertProjectRecord,
} from './staff-upsert.js';

/** The team member fields: none is optional (each is required or has a default), so an update cannot clear any. */
export const MEMBER_FIELDS = {
  optional: [],
  required: ['name', 'role', 'skills', 'allocation'],
  lists: ['skills'],
} as const satisfies RecordFields;

export interface MemberInput {
  version?: number;
  /** Optional fields to empty (see staff-upsert.ts). */
  clear?: string[];
  name?: string;
  role?: string;
  skills?: string[];
  allocation?: number;
}

export async function upsertMember(
  deps: Deps,
  projectId: string,
  email: string,
  input: MemberInput,
  actor: string,
): Promise<UpsertResult<'member'>> {
  const { version, clear, ...fields } = input;
  const id = email.toLowerCase();
  const result = await upsertProjectRecord(deps, {
    projectId,
    entity: 'member',
    id,
    ...(version !== undefined ? { version } : {}),
    actor,
    ...(clear ? { clear, given: fields, fields: MEMBER_FIELDS } : {}),
    describe: (m) => `team member ${m.name} (${m.role}, ${m.allocation}%)`,
    build: (existing): TeamMember => {
      if (!existing) requireOnCreate({ name: fields.name, role: fields.role, allocation: fields.allocation });
      return {
        entity: 'member',
        projectId,
        email: id,
        skills: [],
        ...existing,
        ...fields,
        name: fields.name ?? existing?.name ?? '',
        role: fields.role ?? existing?.role ?? '',
        allocation: fields.allocation ?? existing?.allocation ?? 0,
        version: 0,
      };
    },
  });
  // Only the allocation counts across projects (name, role and skills are this project's own).
  if (fields.allocation !== undefined) await recheckCapacityGates(deps, { projectId, emails: [id] });
  return result;
}
