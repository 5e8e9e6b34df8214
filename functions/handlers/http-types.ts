/**
 * A runtime-neutral HTTP request/response: the Lambda handler (API Gateway HTTP API) and the
 * local server both adapt to these, so the approval pages and the staff API are one piece of code.
 */
export interface HttpRequest {
  method: string;
  /** Path without query string, e.g. `/approve/abc`. */
  path: string;
  query: Record<string, string>;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
  /** Identity of an IAM-authorized caller (AWS) or `local` (local runtime); absent for public routes. */
  caller?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}
