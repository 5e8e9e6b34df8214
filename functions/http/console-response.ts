/** A console page as a response: the console's security headers (CSP with the stylesheet's hash, no framing, no caching). */
import { CONSOLE_HEADERS } from '../core/pages/console/layout.js';
import { htmlResponse } from './responses.js';

/** A console page with the console's security headers. */
export function consolePage(status: number, html: string): Response {
  return htmlResponse(status, html, CONSOLE_HEADERS);
}
