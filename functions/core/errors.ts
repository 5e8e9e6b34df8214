/**
 * Errors of the core. Map them with `instanceof`, never by comparing names. Each class names
 * itself in a literal (`override name`): the bundler shortens class names, and the name is what
 * the logs and the Lambda runtime's `errorType` show (test/unit/architecture.test.ts checks it).
 */
export class MilepostError extends Error {
  override name = 'MilepostError';
}

/** A record changed since it was read (optimistic locking), or a record that must be new exists. */
export class ConflictError extends MilepostError {
  override name = 'ConflictError';
}

/** A record that was asked for does not exist. */
export class NotFoundError extends MilepostError {
  override name = 'NotFoundError';
}

/** Input that names a field that is wrong. */
export class ValidationError extends MilepostError {
  override name = 'ValidationError';
  readonly issues: { path: string; message: string }[];
  constructor(issues: { path: string; message: string }[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    this.issues = issues;
  }
}

/** The workflow task behind a token is gone (timed out, already closed, or the token is invalid). */
export class TaskTokenGoneError extends MilepostError {
  override name = 'TaskTokenGoneError';
}

/** A request that is valid but not allowed in the project's current state (e.g. submit a closed stage). */
export class StateError extends MilepostError {
  override name = 'StateError';
}

/** The signed-in person may not do this (e.g. change a project whose team they are not on). */
export class ForbiddenError extends MilepostError {
  override name = 'ForbiddenError';
}
