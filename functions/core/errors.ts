/** Errors of the core. Map them with `instanceof`, never by comparing names. */

export class MilepostError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A record changed since it was read (optimistic locking), or a record that must be new exists. */
export class ConflictError extends MilepostError {}

/** A record that was asked for does not exist. */
export class NotFoundError extends MilepostError {}

/** Input that names a field that is wrong. */
export class ValidationError extends MilepostError {
  readonly issues: { path: string; message: string }[];
  constructor(issues: { path: string; message: string }[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    this.issues = issues;
  }
}

/** The workflow task behind a token is gone (timed out, already closed, or the token is invalid). */
export class TaskTokenGoneError extends MilepostError {}

/** A request that is valid but not allowed in the project's current state (e.g. submit a closed stage). */
export class StateError extends MilepostError {}

/** The signed-in person may not do this (e.g. change a project whose team they are not on). */
export class ForbiddenError extends MilepostError {}
