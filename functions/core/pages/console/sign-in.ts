/**
 * The pages of signing in and out: the local runtime's sign-in page (pick a team member of the
 * specs; no password, for local use only), the signed-out page, and the page of a sign-in that
 * did not complete.
 */
import { html } from '../../html.js';
import type { LocalPerson } from '../../use-cases/list-local-people.js';
import { page } from './layout.js';

/** The local sign-in page: one choice per team member of the specs, with their projects. */
export function localSignInPage(people: LocalPerson[], next: string, error?: string): string {
  const choices = people.map(
    (p, i) =>
      html`<div class="choice"><input type="radio" id="person-${String(i)}" name="email" value="${p.email}"${
        i === 0 ? ' checked' : ''
      }><label for="person-${String(i)}"><strong>${p.name}</strong> &lt;${p.email}&gt;<br><span class="muted small">${p.roles.join('; ')}</span></label></div>`,
  );
  return page(
    'Sign in (local)',
    html`<h1>Sign in (local runtime)</h1>
<section>
<p><strong>For local use only.</strong> This page exists only in the local runtime on this machine (it listens on 127.0.0.1). There are no passwords here: pick the team member you want to act as. In AWS, staff sign in with the user pool’s managed login instead.</p>
${error ? html`<p class="error-summary" role="alert" id="email-error">${error}</p>` : ''}
${
  people.length
    ? html`<form method="post" action="/auth/local" class="stack">
<fieldset${error ? html` aria-describedby="email-error"` : ''}><legend>Team member</legend>${choices}</fieldset>
<input type="hidden" name="next" value="${next}">
<div><button type="submit">Sign in</button></div>
</form>`
    : html`<p>No team member in the specs yet: add a spec file to the projects folder and restart.</p>`
}
</section>`,
  );
}

/** After signing out. */
export function signedOutPage(signInHref: string): string {
  return page(
    'Signed out',
    html`<h1>You are signed out</h1><section><p><a href="${signInHref}">Sign in again</a></p></section>`,
  );
}

/** A sign-in that did not complete (denied, expired, or the state did not match). */
export function signInFailedPage(reason: string, signInHref: string): string {
  return page(
    'Sign-in failed',
    html`<h1>The sign-in did not complete</h1><section><p role="alert">${reason}</p><p><a href="${signInHref}">Try again</a></p></section>`,
  );
}
