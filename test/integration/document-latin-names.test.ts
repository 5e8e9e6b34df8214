/**
 * Names with Central European letters through the whole approval of a charter on DynamoDB Local:
 * the approval email, the approval page and the staff API keep the exact text (Łukasz Dvořák,
 * Migracja Łódź); only the PDF writes it as the closest text its standard fonts show (Lukasz
 * Dvorák, Migracja Lódz), and the SHA-256 on the page is of the PDF bytes the link downloads.
 */
import { describe, expect, it } from 'vitest';
import { bytesSha256 } from '../../functions/core/documents/model.js';
import { enterStage } from '../../functions/core/use-cases/enter-stage.js';
import { openGate } from '../../functions/core/use-cases/open-gate.js';
import { handleHttp } from '../../functions/http/app.js';
import { pdfText } from '../support/fakes.js';
import { approvalRequest } from './approval-support.js';
import { lifecycleFixture, linkIds, START } from './lifecycle-support.js';

const SPONSOR = 'sponsor@acme.example';

describe('a charter for people with Central European names', () => {
  it('keeps the exact names in the email, the page and the API, and writes them as WinAnsi text in the PDF', async () => {
    const f = await lifecycleFixture({
      name: 'Migracja Łódź',
      customer: { name: 'Gdańsk Dental', timezone: 'Europe/Warsaw' },
      msp: { name: 'Ørsted IT' },
      stakeholders: [
        { name: 'Łukasz Dvořák', email: SPONSOR, role: 'sponsor' },
        { name: 'Šárka Žáková', email: 'approver@acme.example', role: 'approver' },
      ],
    });
    await enterStage(f.deps, { projectId: f.projectId, stage: 'initiation', executionStartedAt: START });
    await openGate(f.deps, {
      projectId: f.projectId,
      stage: 'initiation',
      taskToken: 'token-latin-AAAAAAAAAAAA',
    });

    const [request] = f.mailer.tagged('approval-request').filter((m) => m.to.includes(SPONSOR));
    expect(request).toBeDefined();
    for (const part of [request!.subject, request!.text, request!.html])
      expect(part).toContain('Migracja Łódź');
    expect(request!.text).toContain('Łukasz Dvořák');

    const [id] = linkIds([request!]);
    const page = await handleHttp(f.deps, approvalRequest('GET', id ?? ''));
    expect(page.status).toBe(200);
    for (const text of ['Migracja Łódź', 'Gdańsk Dental', 'Łukasz Dvořák']) expect(page.body).toContain(text);
    const download = await handleHttp(
      f.deps,
      approvalRequest('GET', id ?? '', { query: { document: 'charter' } }),
    );
    expect(download.status).toBe(200);
    const pdf = new Uint8Array(Buffer.from(download.body, 'base64'));
    expect(page.body).toContain(bytesSha256(pdf));
    const text = pdfText(pdf);
    for (const shown of [
      'Migracja Lódz',
      'Customer: Gdansk Dental',
      'Lukasz Dvorák sponsor',
      'Šárka Žáková approver',
    ])
      expect(text).toContain(shown);
    expect(text).not.toContain('?');

    const api = await handleHttp(f.deps, {
      method: 'GET',
      path: `/api/projects/${f.projectId}`,
      query: {},
      headers: {},
      body: '',
      caller: 'local',
    });
    expect(api.status).toBe(200);
    expect(JSON.parse(api.body)).toMatchObject({ name: 'Migracja Łódź', customerName: 'Gdańsk Dental' });
  });
});
