/**
 * Who may do what in the staff console, in one place. Every signed-in staff member reads every
 * project; a project's team members (its recorded team members: registration records the spec's
 * `team`, staff add and remove members since) and members of the `admin` group change it; anyone
 * else is refused with a sentence that says why. A member removed from the project loses the
 * right at once, even while the spec file still lists them (a deploy does not bring them back). The IAM-authorized staff API (machines, the CLI) is not a person and is not checked
 * here: IAM decides who may call it.
 */
import { ForbiddenError, NotFoundError } from './errors.js';
import type { Project, TeamMember } from './model.js';
import type { Deps } from './ports.js';

/** The group whose members may change every project. */
export const ADMIN_GROUP = 'admin';
/** The group of the MSP's staff (every signed-in person reads every project). */
export const STAFF_GROUP = 'staff';

/** A signed-in person, as the session says (Cognito's ID token, or the local sign-in). */
export interface StaffUser {
  /** Lower-case email: the person's identity and the actor of every change they make. */
  email: string;
  /** Display name (the email when the identity provider gives none). */
  name: string;
  /** Cognito groups (`admin`, `staff`). */
  groups: string[];
}

/** Emails of the project's team (its recorded team members), lower case. */
export function teamEmails(members: readonly { email: string }[]): Set<string> {
  return new Set(members.map((m) => m.email.toLowerCase()));
}

/** True when `user` may change a project with this team. */
export function mayChange(user: StaffUser, team: Set<string>): boolean {
  return user.groups.includes(ADMIN_GROUP) || team.has(user.email.toLowerCase());
}

/**
 * Throws ForbiddenError unless `user` may change the project (NotFoundError when it does not
 * exist). Call before every change made on behalf of a signed-in person. Returns what it read:
 * the project and its team (a form shown again needs both).
 */
export async function requireChangeAllowed(
  deps: Deps,
  user: StaffUser,
  projectId: string,
): Promise<{ project: Project; members: TeamMember[] }> {
  const project = await deps.store.getProject(projectId);
  if (!project) throw new NotFoundError(`project ${projectId} not found`);
  const members = await deps.store.list(projectId, 'member');
  if (mayChange(user, teamEmails(members))) return { project, members };
  throw new ForbiddenError(
    `Only the team of ${project.name} and administrators can change it; ${user.email} is not on its team. Ask its project manager to add you to the team.`,
  );
}
