/**
 * Add or update a team member (PUT /api/projects/{id}/team/{email}).
 * Input: name, role, skills, allocation (percent); the version read. Output: the stored member.
 * Steps: see staff-upsert.ts. The email (lower case) is the member's id.
 */
import type { TeamMember } from '../model.js';
import type { Deps } from '../ports.js';
import { requireOnCreate, type UpsertResult, upsertProjectRecord } from './staff-upsert.js';

export interface MemberInput {
  version?: number;
  name?: string;
  role?: string;
  skills?: string[];
  allocation?: number;
}

export function upsertMember(
  deps: Deps,
  projectId: string,
  email: string,
  input: MemberInput,
  actor: string,
): Promise<UpsertResult<'member'>> {
  const { version, ...fields } = input;
  const id = email.toLowerCase();
  return upsertProjectRecord(deps, {
    projectId,
    entity: 'member',
    id,
    ...(version !== undefined ? { version } : {}),
    actor,
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
}
