/**
 * Channel-neutral notifications: builders that say what happened and to whom (a kind, the
 * recipients and a content model of plain data), `notify` that sends them through the Notifier
 * port and records failed deliveries, and the email rendering (the first channel).
 */
export { type ApprovalRequestInput, approvalRequest } from './approval-request.js';
export { type CloseoutInput, closeout, closeoutContent, closeoutSummary } from './closeout.js';
export { type EmailMessage, emailHtml, emailText, renderEmail } from './email/render.js';
export { formatDay, formatTime, ruleInWords } from './format.js';
export { escalation, gateWaiting, reworkNotice, stageNotice } from './notices.js';
export type {
  Block,
  Notification,
  NotificationContent,
  NotificationContext,
  NotificationKind,
  Recipient,
} from './notification.js';
export { Secret } from './notification.js';
export { notify } from './notify.js';
export { loadPeople, nameOf, notificationContext, projectManagers, uniqueEmails } from './people.js';
export { type StatusReportInput, statusReportContent } from './status-report.js';
