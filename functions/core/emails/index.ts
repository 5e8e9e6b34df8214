/** Email builders: each returns an EmailMessage with an escaped HTML body and a plain-text body. */
export { type ApprovalRequestInput, approvalRequestEmail } from './approval-request.js';
export { type CloseoutInput, closeoutEmail, closeoutReportHtml, closeoutSummary } from './closeout.js';
export { type EmailContext, ruleInWords } from './layout.js';
export {
  escalationEmail,
  gateWaitingEmail,
  reworkNoticeEmail,
  stageNoticeEmail,
} from './notices.js';
