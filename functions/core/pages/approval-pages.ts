/**
 * The approval pages: confirmation form, thank-you, already decided, self-approval refused,
 * and the one neutral page for every link that does not work. Every value is escaped by `html`;
 * no page contains the link id (the form posts to its own URL) or a task token.
 */
import { html, type SafeHtml } from '../html.js';
import { formatLocalTime } from '../time.js';
import { ACCEPTED, acceptanceField, type DecideApprovalResult } from '../use-cases/decide-approval.js';
import type { ApprovalView, DecidedView, ViewApprovalResult } from '../use-cases/view-approval.js';
import { type HtmlPage, renderPage } from './layout.js';

/** The single neutral answer for unknown, malformed, expired, superseded and foreign links. */
export const NEUTRAL_STATUS = 404;

export function neutralPage(): HtmlPage {
  return renderPage(
    NEUTRAL_STATUS,
    'Link not valid',
    html`<div class="card"><h1>This link is not valid</h1>
<p>This link is not valid. It may have expired or been replaced by a newer one. Ask your project manager for a new link.</p></div>`,
  );
}

function header(view: ApprovalView, title: string): SafeHtml {
  return html`<p class="msp">${view.mspName}</p><h1>${title}</h1>`;
}

function details(view: ApprovalView): SafeHtml {
  return html`<dl>
<dt>Project</dt><dd>${view.projectName}</dd>
<dt>Customer</dt><dd>${view.customerName}</dd>
<dt>${view.target === 'change' ? 'Request' : 'Stage'}</dt><dd>${view.stageName}</dd>
<dt>For approval</dt><dd>${view.approves}${view.documentVersion !== undefined ? html` (version ${view.documentVersion})` : ''}</dd>
${documentLink(view)}
${view.due ? html`<dt>Due</dt><dd>${view.due}</dd>` : ''}
<dt>Rule</dt><dd>${view.rule}</dd>
<dt>Approver</dt><dd>${view.approverName}</dd>
</dl>
${substance(view)}`;
}

/**
 * The document under approval: a download link (same link id, `?document=<id>`, GET only) with its
 * version and the SHA-256 of its bytes, so the approver can check the file they read.
 */
function documentLink(view: ApprovalView): SafeHtml | '' {
  const doc = view.document;
  if (!doc) return '';
  return html`<dt>Document</dt><dd><a href="?document=${encodeURIComponent(doc.id)}" rel="noreferrer" download>Download the ${doc.name} (PDF, version ${doc.version})</a>${
    doc.sha256 ? html`<br><span class="note">SHA-256: <code class="hash">${doc.sha256}</code></span>` : ''
  }</dd>`;
}

/** What the approver decides on (the stage type's sections): a heading and a list each, all escaped. */
function substance(view: ApprovalView): SafeHtml | '' {
  // What the approval accepts is asked for in the form (acceptances), not listed twice.
  const sections = view.sections.filter((s) => !(s.acceptance && view.acceptances.length > 0));
  if (sections.length === 0) return '';
  return html`<section class="substance">${sections.map(
    (s) =>
      html`<h2>${s.title}</h2>${
        s.items.length
          ? html`<ul>${s.items.map(
              (i) =>
                html`<li><strong>${i.label}</strong>${
                  i.detail?.length
                    ? html`<ul class="detail">${i.detail.map((d) => html`<li>${d}</li>`)}</ul>`
                    : ''
                }</li>`,
            )}</ul>`
          : html`<p>${s.empty ?? ''}</p>`
      }`,
  )}</section>`;
}

/** The confirmation page with the decision form (optionally with the errors of a previous attempt). */
/**
 * One checkbox per acceptance (each QA waiver): an approval needs every one ticked; a rejection
 * needs none. The box is not `required` in HTML, so a reject can be sent without ticking.
 */
function acceptanceFields(view: ApprovalView, accepted: string[]): SafeHtml | '' {
  if (view.acceptances.length === 0) return '';
  return html`<fieldset class="acceptances">
<legend>Waivers you accept with an approval</legend>
<p class="note">These test cases were waived instead of passed. To approve, tick each waiver you accept. To reject, no tick is needed.</p>
${view.acceptances.map((a, i) => {
  const field = acceptanceField(a.key);
  return html`<div class="acceptance"><input type="checkbox" id="accept-${i}" name="${field}" value="${ACCEPTED}"${
    accepted.includes(field) ? html` checked` : ''
  }> <label for="accept-${i}"><strong>${a.label}</strong>: ${a.detail}</label></div>`;
})}
</fieldset>`;
}

export function confirmPage(
  view: ApprovalView,
  nonce: string,
  issues: { path: string; message: string }[] = [],
  previous: { decision?: string; comment?: string; accepted?: string[] } = {},
): HtmlPage {
  const errors = issues.length
    ? html`<div class="error" role="alert">${issues.map((i) => html`<p>${i.message}</p>`)}</div>`
    : '';
  const checked = (d: string) => (previous.decision === d ? html` checked` : '');
  return renderPage(
    issues.length ? 400 : 200,
    `Approval: ${view.stageName} - ${view.projectName}`,
    html`<div class="card">
${header(view, `Your decision: ${view.stageName}`)}
${details(view)}
${errors}
<form method="post">
<input type="hidden" name="csrf" value="${nonce}">
<input type="hidden" name="project" value="${view.projectId}">
<input type="hidden" name="stage" value="${view.stageKey}">
<fieldset>
<legend>Decision</legend>
<label><input type="radio" name="decision" value="approve" required${checked('approve')}> Approve</label>
<label><input type="radio" name="decision" value="reject"${checked('reject')}> Reject</label>
</fieldset>
${acceptanceFields(view, previous.accepted ?? [])}
<label for="comment">Comment (required to reject)</label>
<textarea id="comment" name="comment" maxlength="2000">${previous.comment ?? ''}</textarea>
<p><button type="submit">Submit decision</button></p>
</form>
<p class="note">This link is personal to ${view.approverName}; please do not forward it.</p>
</div>`,
  );
}

export function decidedPage(decided: DecidedView): HtmlPage {
  const what = decided.decision === 'approve' ? 'approved' : 'rejected';
  return renderPage(
    200,
    'Already decided',
    html`<div class="card"><h1>Already decided</h1>
<p>This request was already decided by ${decided.by} at ${formatLocalTime(decided.at, decided.timezone)} (${what}).</p>
<p class="note">Nothing was changed.</p></div>`,
  );
}

export function selfApprovalPage(view: ApprovalView): HtmlPage {
  return renderPage(
    403,
    'Self-approval not allowed',
    view.target === 'change'
      ? html`<div class="card">${header(view, 'You cannot decide this change request')}
<p>You raised ${view.stageName} of ${view.projectName} yourself, so another sponsor has to decide it. Nothing was changed.</p></div>`
      : html`<div class="card">${header(view, 'You cannot approve this stage')}
<p>You submitted ${view.stageName} of ${view.projectName} yourself, so another approver has to decide it. Nothing was changed.</p></div>`,
  );
}

export function thankYouPage(view: ApprovalView, decision: 'approve' | 'reject'): HtmlPage {
  const what = decision === 'approve' ? 'approval' : 'rejection';
  return renderPage(
    200,
    'Thank you',
    html`<div class="card">${header(view, 'Thank you')}
<p>Thank you, your ${what} is recorded.</p>
${
  decision === 'approve' && view.acceptances.length > 0
    ? html`<p>With it you accepted these waivers:</p><ul>${view.acceptances.map(
        (a) => html`<li><strong>${a.label}</strong>: ${a.detail}</li>`,
      )}</ul>`
    : ''
}
${details(view)}</div>`,
  );
}

/** A change request whose old values no longer hold: it cannot be approved, nothing changed. */
export function stalePage(view: ApprovalView): HtmlPage {
  return renderPage(
    409,
    'No longer current',
    html`<div class="card">${header(view, 'This change no longer matches the project')}
<p>The project's baseline changed since ${view.stageName} was raised, so it cannot be approved as it stands. Nothing was changed. Your project manager can raise a new change request.</p></div>`,
  );
}

export function forbiddenPage(): HtmlPage {
  return renderPage(
    403,
    'Request not allowed',
    html`<div class="card"><h1>Request not allowed</h1><p>Open the link from your email and submit the form on that page.</p></div>`,
  );
}

export function busyPage(): HtmlPage {
  return renderPage(
    503,
    'Please try again',
    html`<div class="card"><h1>Please try again</h1><p>Many decisions arrived at once. Nothing was lost; please submit again.</p></div>`,
  );
}

export function notFoundPage(): HtmlPage {
  return renderPage(
    404,
    'Not found',
    html`<div class="card"><h1>Not found</h1><p>There is no page here.</p></div>`,
  );
}

export function errorPage(): HtmlPage {
  return renderPage(
    500,
    'Something went wrong',
    html`<div class="card"><h1>Something went wrong</h1><p>Nothing was recorded. Please try again later.</p></div>`,
  );
}

/** The page for the result of GET /approve/{linkId}. */
export function viewResultPage(result: ViewApprovalResult): HtmlPage {
  switch (result.kind) {
    case 'neutral':
      return neutralPage();
    case 'decided':
      return decidedPage(result.decided);
    case 'self-approval':
      return selfApprovalPage(result.view);
    case 'confirm':
      return confirmPage(result.view, result.nonce);
  }
}

/** The page for the result of POST /approve/{linkId}. */
export function decideResultPage(result: DecideApprovalResult, form: Record<string, string> = {}): HtmlPage {
  switch (result.kind) {
    case 'forbidden':
      return forbiddenPage();
    case 'neutral':
      return neutralPage();
    case 'decided':
      return decidedPage(result.decided);
    case 'self-approval':
      return selfApprovalPage(result.view);
    case 'invalid': {
      const accepted = result.view.acceptances
        .map((a) => acceptanceField(a.key))
        .filter((field) => form[field] === ACCEPTED);
      const previous = {
        ...(form.decision ? { decision: form.decision } : {}),
        ...(form.comment ? { comment: form.comment.slice(0, 2000) } : {}),
        accepted,
      };
      return confirmPage(result.view, result.nonce, result.issues, previous);
    }
    case 'recorded':
      return thankYouPage(result.view, result.decision);
    case 'stale':
      return stalePage(result.view);
    case 'busy':
      return busyPage();
  }
}

/** A form body larger than any valid form (refused before the link is looked up). */
export function tooLargePage(): HtmlPage {
  return renderPage(
    413,
    'Request too large',
    html`<div class="card"><h1>Request too large</h1><p>Nothing was recorded. Go back, shorten your comment to at most 2000 characters and submit again.</p></div>`,
  );
}

export function renderMethodNotAllowed(): HtmlPage {
  return renderPage(
    405,
    'Not allowed',
    html`<div class="card"><h1>Not allowed</h1><p>Open the link from your email.</p></div>`,
  );
}
