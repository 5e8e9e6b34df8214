/**
 * A valid spec in block style (one field per line), so a test can change one line and know the
 * line number the error must name.
 */
export const VALID_SPEC = `# yaml-language-server: $schema=./schema.json
id: acme-test
name: Test project
customer:
  name: Acme Ltd
  timezone: Europe/London
objectives:
  - Move mail to the cloud
requirements:
  - MFA for every account
scope:
  in:
    - Mailboxes
  out: []
deliverables:
  - id: tenant
    name: Tenant
    stage: execution
    acceptance: Hardened tenant
  - id: runbook
    name: Runbook
    stage: support
    acceptance: Handed over
timeline:
  start: 2026-01-05
  end: 2026-03-27
budget:
  currency: GBP
  amount: 10000
  hours: 100
stakeholders:
  - name: Sam Sponsor
    email: sam@acme.example
    role: sponsor
  - name: Alex Approver
    email: alex@acme.example
    role: approver
team:
  - name: Pat Manager
    email: pat@msp.example
    role: project manager
    allocation: 50
communication:
  channels: [email]
  statusReport:
    every: week
    day: friday
    at: "16:00"
risks:
  - id: data-loss
    title: Data loss
    likelihood: 2
    impact: 5
stages:
  - key: initiation
    due: 2026-01-16
  - key: execution
    due: 2026-02-27
    gate:
      approvers: [sponsor, approver]
      rule: all
  - key: support
    due: 2026-03-27
`;

/** Replaces one exact line of the valid spec (fails loudly when the line is not there). */
export function withLine(from: string, to: string, source = VALID_SPEC): string {
  const lines = source.split('\n');
  const i = lines.indexOf(from);
  if (i < 0) throw new Error(`fixture has no line ${JSON.stringify(from)}`);
  lines[i] = to;
  return lines.join('\n');
}

/** 1-based number of the first line equal to `line`. */
export function lineNumber(source: string, line: string): number {
  const i = source.split('\n').indexOf(line);
  if (i < 0) throw new Error(`no line ${JSON.stringify(line)}`);
  return i + 1;
}
