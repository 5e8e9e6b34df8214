/**
 * The document models the core builds (charter, close-out, status) and the renderers that lay
 * them out: the pdfkit adapter (text read back, pages, header and footer, determinism) and the
 * Lambda adapter (Invoke against a local server that checks the request and its signature).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AwsRequest, AwsRequestError, AwsServiceClient } from '../../functions/adapters/aws-request.js';
import { DocumentRenderError, LambdaDocumentRenderer } from '../../functions/adapters/lambda-renderer.js';
import { PdfKitRenderer } from '../../functions/adapters/pdf-renderer.js';
import { charterDocument } from '../../functions/core/documents/charter.js';
import { closeoutBudget, closeoutDocument } from '../../functions/core/documents/closeout.js';
import {
  contentSha256,
  type DocumentBlock,
  type DocumentModel,
  documentModelSchema,
} from '../../functions/core/documents/model.js';
import { sectionsOf } from '../../functions/core/documents/status.js';
import type { Lesson } from '../../functions/core/model.js';
import { handleDocuments } from '../../functions/handlers/documents.js';
import { type FakeAws, type Reply, startFakeAws } from '../support/aws-server.js';
import { makeGate, makeProject, makeProjectSpec, makeRisk, makeStages, makeTask } from '../support/dynamo.js';
import { pdfPageCount, pdfText } from '../support/fakes.js';

const renderer = new PdfKitRenderer({ compress: false });
const text = (draft: unknown) => JSON.stringify(draft);

function model(overrides: Partial<DocumentModel> = {}): DocumentModel {
  return {
    title: 'Close-out report',
    projectName: 'Acme M365',
    author: 'Northwind',
    docVersion: 3,
    createdAt: '2026-12-01T09:00:00.000Z',
    meta: ['Customer: Acme Dental'],
    sections: [{ heading: 'Summary', blocks: [{ type: 'paragraph', text: 'All delivered.' }] }],
    ...overrides,
  };
}

function lesson(overrides: Partial<Lesson> = {}): Lesson {
  return {
    entity: 'lesson',
    projectId: 'acme-m365',
    id: 'pilot',
    title: 'Pilot group first',
    whatHappened: 'Five pilot mailboxes found the MFA issue early',
    kind: 'repeat',
    recommendation: 'Always migrate a pilot group first',
    version: 1,
    ...overrides,
  };
}

describe('charter document', () => {
  it('has the objectives, requirements, scope in and out, deliverables with acceptance, budget, people and communication', () => {
    const draft = charterDocument(makeProject());
    expect(draft.sections.map((s) => s.heading)).toEqual([
      'Objectives',
      'Requirements',
      'Scope',
      'Deliverables',
      'Timeline',
      'Budget',
      'Stakeholders',
      'Team',
      'Communication plan',
    ]);
    const all = text(draft);
    for (const part of [
      'Move mail to Microsoft 365',
      'Phone system',
      'CIS baseline applied',
      '£18,500.00',
      '160 hours',
    ])
      expect(all).toContain(part);
  });

  it('hashes the same content the same and a changed objective differently', () => {
    const spec = makeProjectSpec();
    const a = contentSha256(charterDocument(makeProject({}, spec)));
    expect(contentSha256(charterDocument(makeProject({}, spec)))).toBe(a);
    expect(contentSha256(charterDocument(makeProject({}, { ...spec, objectives: ['Other'] })))).not.toBe(a);
  });
});

describe('close-out document', () => {
  const project = makeProject({
    monitoring: {
      checkedAt: '2027-02-20T08:00:00.000Z',
      rag: 'amber',
      spi: 1,
      cpi: 1,
      reasons: [],
      openDeviations: ['overdue-task:docs', 'spi'],
      correctiveActions: {
        spi: { action: 'Added a second engineer', by: 'pm@msp.example', at: '2027-02-20T09:00:00.000Z' },
      },
    },
  });
  const stages = makeStages(project).map((s) =>
    s.key === 'support' ? { ...s, supportUntil: '2027-03-12T10:00:00.000Z' } : s,
  );
  const gates = [
    makeGate({
      stage: 'execution',
      status: 'approved',
      decidedAt: '2027-01-22T15:00:00.000Z',
      approvers: [
        {
          email: 'sponsor@acme.example',
          name: 'Amara Okafor',
          decision: 'approve',
          decidedAt: '2027-01-22T15:00:00.000Z',
        },
      ],
    }),
  ];
  const tasks = [
    makeTask({
      id: 'tenant',
      type: 'deliverable',
      name: 'Configured tenant',
      stage: 'execution',
      status: 'done',
      acceptance: 'CIS baseline applied',
      evidence: 'https://evidence.example/cis',
      estimateHours: 20,
      actualHours: 24,
    }),
    makeTask({
      id: 'handbook',
      type: 'deliverable',
      name: 'Handbook',
      stage: 'deployment',
      status: 'in_progress',
      estimateHours: 10,
      actualHours: 4,
    }),
    makeTask({
      id: 'docs',
      type: 'task',
      name: 'Write runbook',
      stage: 'support',
      status: 'todo',
      estimateHours: 5,
      actualHours: 0,
    }),
  ];
  const risks = [
    makeRisk({ id: 'open-one', title: 'Licence renewal slips', status: 'open' }),
    makeRisk({ id: 'closed-one', title: 'Closed risk title', status: 'closed' }),
  ];
  const spec = {
    ...project.spec,
    support: { days: 14, by: 'Northwind service desk', contact: 'desk@northwind.example' },
  };
  const input = {
    project: { ...project, spec },
    stages,
    gates,
    tasks,
    risks,
    lessons: [
      lesson(),
      lesson({
        id: 'cutover',
        title: 'Cut-over weekend',
        kind: 'change' as const,
        recommendation: 'Start on Friday noon',
      }),
    ],
    closedAt: '2027-03-12T11:00:00.000Z',
  };

  it('shows each deliverable as accepted when its gate approved (who, when) or not accepted, with evidence', () => {
    const draft = closeoutDocument(input);
    const table = draft.sections[0]!.blocks[0] as { rows: string[][] };
    expect(table.rows).toEqual([
      ['Handbook', 'Deployment & Training', '-', '-', 'not accepted', '-', '-'],
      [
        'Configured tenant',
        'Execution & Implementation',
        'CIS baseline applied',
        'https://evidence.example/cis',
        'accepted',
        '22 Jan 2027, 15:00 (Europe/London)',
        'Amara Okafor',
      ],
    ]);
  });

  it('lists lessons, the support hand-off and open items (open tasks, open risks, deviations without action)', () => {
    const all = text(closeoutDocument(input));
    for (const part of [
      'Always migrate a pilot group first',
      'Start on Friday noon',
      'Northwind service desk',
      'desk@northwind.example',
      '12 Mar 2027, 10:00 (Europe/London)',
      'Write runbook',
      'Licence renewal slips',
      'overdue-task:docs',
      'Closed on 12 Mar 2027, 11:00 (Europe/London)',
    ])
      expect(all).toContain(part);
    expect(all).not.toContain('Closed risk title');
    // The deviation with a corrective action is not an open item.
    const open = closeoutDocument(input).sections.find((s) => s.heading === 'Open items');
    expect(text(open)).not.toContain('"spi"');
  });

  it('puts budget against actual in hours and customer-facing money only', () => {
    expect(closeoutBudget(input)).toEqual({
      currency: 'GBP',
      budgetAmount: 18500,
      budgetHours: 160,
      estimatedHours: 35,
      actualHours: 28,
      hoursVariance: -132,
      tasksDone: 1,
      tasksTotal: 3,
    });
    expect(closeoutBudget({ ...input, billableValue: 19000 })).toMatchObject({
      billableValue: 19000,
      moneyVariance: 500,
    });
    const withoutBillable = text(closeoutDocument(input));
    expect(withoutBillable).toContain('not recorded (no priced time entries)');
    const withBillable = text(closeoutDocument({ ...input, billableValue: 19000 }));
    expect(withBillable).toContain('£19,000.00');
    expect(withBillable).toContain('+£500.00');
    expect(withBillable.toLowerCase()).not.toMatch(/\brates?\b|\binternal\b|\bcosts?\b/);
  });
});

describe('status document sections', () => {
  it('starts a section at each heading and keeps tables, facts and lists', () => {
    const sections = sectionsOf([
      { type: 'paragraph', text: 'Intro' },
      {
        type: 'facts',
        rows: [
          ['Health', 'Green'],
          ['Missing', undefined],
        ],
      },
      { type: 'heading', text: 'Risks' },
      { type: 'table', columns: ['Risk'], rows: [['Outage']] },
      { type: 'action', label: 'x', hint: 'x', url: { reveal: () => 'secret' } as never },
    ]);
    expect(sections).toEqual([
      {
        heading: 'Summary',
        blocks: [
          { type: 'paragraph', text: 'Intro' },
          { type: 'keyValue', rows: [['Health', 'Green']] },
        ],
      },
      { heading: 'Risks', blocks: [{ type: 'table', columns: ['Risk'], rows: [['Outage']] }] },
    ]);
  });
});

describe('PdfKitRenderer', () => {
  it('renders a PDF whose text reads back, with the project name, title, version and page numbers on every page', async () => {
    const rows = Array.from({ length: 120 }, (_, i) => [`Deliverable ${i}`, `Accepted on day ${i}`]);
    const pdf = await renderer.render(
      model({
        sections: [
          { heading: 'Deliverables', blocks: [{ type: 'table', columns: ['Name', 'Acceptance'], rows }] },
        ],
      }),
    );
    expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    const pages = pdfPageCount(pdf);
    expect(pages).toBeGreaterThan(2);
    const all = pdfText(pdf);
    for (let p = 1; p <= pages; p++)
      expect(all).toContain(`Close-out report, version 3 Page ${p} of ${pages}`);
    expect(all.split('Acme M365').length - 1).toBeGreaterThanOrEqual(pages + 1);
    // The table's header row repeats on each page it continues on.
    expect(all.split('Name Acceptance').length - 1).toBe(pages);
    // Every row is there once, in order.
    const at = rows.map(([name]) => all.indexOf(`${name} Accepted`));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect(at).toEqual([...at].sort((a, b) => a - b));
  });

  it('gives the same bytes for the same model and other bytes for another version', async () => {
    const a = await renderer.render(model());
    expect(Buffer.compare(Buffer.from(a), Buffer.from(await renderer.render(model())))).toBe(0);
    expect(
      Buffer.compare(Buffer.from(a), Buffer.from(await renderer.render(model({ docVersion: 4 })))),
    ).not.toBe(0);
  });

  it('shows text with no Latin look-alike as ? rather than garbage, and keeps markup as text', async () => {
    const pdf = await renderer.render(
      model({
        sections: [
          { heading: 'Notes', blocks: [{ type: 'list', items: ['Kanji 漢字 ok', '<b>bold</b> & £5'] }] },
        ],
      }),
    );
    const all = pdfText(pdf);
    expect(all).toContain('Kanji ?? ok');
    expect(all).toContain('<b>bold</b> & £5');
  });

  it('writes a charter with Central European names as the closest WinAnsi text, Š, Ž and € as WinAnsi bytes, its properties exact', async () => {
    const spec = makeProjectSpec({
      name: 'Migracja Łódź',
      customer: { name: 'Gdańsk Dental', timezone: 'Europe/Warsaw' },
      msp: { name: 'Ørsted IT' },
      budget: { currency: 'EUR', amount: 18500, hours: 160 },
      stakeholders: [
        { name: 'Łukasz Dvořák', email: 'sponsor@acme.example', role: 'sponsor' },
        { name: 'Šárka Žáková', email: 'approver@acme.example', role: 'approver' },
        { name: 'Дмитрий Şahin', email: 'informed@acme.example', role: 'informed' },
      ],
      team: [
        {
          name: 'Þór Kılıç',
          email: 'pm@msp.example',
          role: 'project manager',
          skills: ['ﬁnance'],
          allocation: 30,
        },
      ],
    });
    const draft = charterDocument(makeProject({}, spec));
    const pdf = await renderer.render({ ...draft, docVersion: 1, createdAt: '2026-12-01T09:00:00.000Z' });
    const all = pdfText(pdf);
    expect(all).toContain('Lukasz Dvorák sponsor');
    expect(all).toContain('Customer: Gdansk Dental');
    expect(all).toContain('Migracja Lódz');
    expect(all).toContain('Þór Kiliç project manager finance');
    expect(all).toContain('Prepared by Ørsted IT');
    // Š, Ž and € are drawn as WinAnsi's bytes 0x8A, 0x8E and 0x80 (pdfText decodes them).
    expect(all).toContain('Šárka Žáková approver');
    expect(all).toContain('€18,500.00');
    const raw = Buffer.from(pdf).toString('latin1');
    expect(raw).toMatch(/<[0-9a-f]*8a[0-9a-f]*>/);
    expect(raw).toMatch(/<[0-9a-f]*80[0-9a-f]*>/);
    // Only the Cyrillic name has no look-alike.
    expect(all).toContain('??????? Sahin informed');
    expect(all.replace('???????', '')).not.toContain('?');
    // The document's properties are UTF-16 strings: the exact names.
    const utf16 = (s: string) => Buffer.from(s, 'utf16le').swap16();
    const bytes = Buffer.from(pdf);
    expect(
      bytes.includes(Buffer.concat([Buffer.from([0xfe, 0xff]), utf16('Project charter: Migracja Łódź')])),
    ).toBe(true);
    expect(bytes.includes(Buffer.concat([Buffer.from([0xfe, 0xff]), utf16('Ørsted IT')]))).toBe(true);
  });

  it('compresses by default', async () => {
    const compressed = await new PdfKitRenderer().render(model());
    expect(Buffer.from(compressed).toString('latin1')).toContain('/FlateDecode');
  });
});

describe('the documents handler', () => {
  it('returns the PDF as base64 and refuses a malformed model naming the field', async () => {
    const { pdf } = await handleDocuments(renderer, { document: model() });
    expect(Buffer.from(pdf, 'base64').subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await expect(handleDocuments(renderer, { document: { ...model(), docVersion: 0 } })).rejects.toThrow(
      /docVersion/,
    );
  });
});

describe('the document model schema (the documents function event)', () => {
  const block = (b: unknown) => model({ sections: [{ heading: 'H', blocks: [b as DocumentBlock] }] });
  const refusals: [string, unknown, (string | number)[]][] = [
    ['a version below 1', model({ docVersion: 0 }), ['docVersion']],
    ['a fractional version', model({ docVersion: 1.5 }), ['docVersion']],
    ['a time without offset', model({ createdAt: '2026-12-01T09:00:00' }), ['createdAt']],
    ['a text over 20,000 characters', model({ title: 'x'.repeat(20_001) }), ['title']],
    ['51 meta lines', model({ meta: Array(51).fill('m') }), ['meta']],
    ['501 sections', model({ sections: Array(501).fill(model().sections[0]) }), ['sections']],
    ['an unknown block', block({ type: 'image', src: 'x' }), ['sections', 0, 'blocks', 0, 'type']],
    [
      'a table without columns',
      block({ type: 'table', columns: [], rows: [] }),
      ['sections', 0, 'blocks', 0, 'columns'],
    ],
    [
      'a row of 13 cells',
      block({ type: 'table', columns: ['c'], rows: [Array(13).fill('c')] }),
      ['sections', 0, 'blocks', 0, 'rows', 0],
    ],
    [
      'a key-value row of three',
      block({ type: 'keyValue', rows: [['a', 'b', 'c']] }),
      ['sections', 0, 'blocks', 0, 'rows', 0],
    ],
    [
      '5,001 list items',
      block({ type: 'list', items: Array(5001).fill('i') }),
      ['sections', 0, 'blocks', 0, 'items'],
    ],
  ];

  it.each(refusals)('refuses %s, naming the field', (_name, input, path) => {
    const result = documentModelSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path)).toEqual([path]);
  });

  it('takes a model at every limit', () => {
    const limits = model({
      title: 'x'.repeat(20_000),
      createdAt: '2026-12-01T09:00:00+01:00',
      meta: Array(50).fill('m'),
      sections: [
        {
          heading: 'H',
          blocks: [
            { type: 'table', columns: Array(12).fill('c'), rows: [Array(12).fill('r')], empty: 'none' },
            { type: 'list', items: Array(5000).fill('i'), empty: 'none' },
            { type: 'keyValue', rows: [['k', 'v']] },
            { type: 'subheading', text: 's' },
          ],
        },
      ],
    });
    expect(documentModelSchema.parse(limits)).toEqual(limits);
  });
});

describe('LambdaDocumentRenderer', () => {
  const SECRET = 'local-secret';
  let aws: FakeAws;
  let client: LambdaDocumentRenderer;
  beforeAll(async () => {
    aws = await startFakeAws({ AKIDLOCAL: SECRET });
  });
  afterAll(async () => {
    await aws.close();
  });
  beforeEach(() => {
    aws.requests.length = 0;
    const lambda = new AwsServiceClient({
      service: 'lambda',
      region: 'eu-west-2',
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: SECRET, sessionToken: 'session-token' },
      backoffMs: () => 0,
    });
    client = new LambdaDocumentRenderer(lambda, 'milepost-documents', 'eu-west-2', aws.endpoint);
  });
  const answer = (payload: unknown, headers: Record<string, string> = {}): Reply => ({
    status: 200,
    headers: { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST', ...headers },
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });

  it('invokes the documents function by name, RequestResponse, signed for Lambda, and returns the bytes', async () => {
    const bytes = await renderer.render(model());
    aws.answer(() => answer({ pdf: Buffer.from(bytes).toString('base64') }));
    expect(await client.render(model())).toEqual(bytes);
    const [req] = aws.requests;
    expect(req).toMatchObject({
      method: 'POST',
      target: '/2015-03-31/functions/milepost-documents/invocations',
    });
    expect(req!.headers['x-amz-invocation-type']).toBe('RequestResponse');
    expect(req!.headers['x-amz-security-token']).toBe('session-token');
    expect(req!.signature).toMatchObject({ ok: true, service: 'lambda', region: 'eu-west-2' });
    expect(req!.signature.signedHeaders).toEqual(
      expect.arrayContaining(['x-amz-invocation-type', 'x-amz-security-token']),
    );
    expect(JSON.parse(req!.body.toString('utf8'))).toEqual({ document: model() });
  });

  it('signs a function named by its ARN (colons encoded in the path)', async () => {
    const bytes = await renderer.render(model());
    aws.answer(() => answer({ pdf: Buffer.from(bytes).toString('base64') }));
    const lambda = new AwsServiceClient({
      service: 'lambda',
      region: 'eu-west-2',
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: SECRET },
    });
    const arn = 'arn:aws:lambda:eu-west-2:123456789012:function:milepost-documents';
    await new LambdaDocumentRenderer(lambda, arn, 'eu-west-2', aws.endpoint).render(model());
    expect(aws.requests[0]!.target).toBe(
      '/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-2%3A123456789012%3Afunction%3Amilepost-documents/invocations',
    );
    expect(aws.requests[0]!.signature.ok).toBe(true);
  });

  it('throws DocumentRenderError naming the function error (X-Amz-Function-Error)', async () => {
    aws.answer(() =>
      answer({ errorType: 'ZodError', errorMessage: 'docVersion' }, { 'x-amz-function-error': 'Unhandled' }),
    );
    await expect(client.render(model())).rejects.toThrow(
      new DocumentRenderError('the documents function failed: ZodError'),
    );
    // A function error is the function's answer: not tried again.
    expect(aws.requests).toHaveLength(1);
    aws.answer(() => answer('Task timed out after 30.00 seconds', { 'x-amz-function-error': 'Unhandled' }));
    await expect(client.render(model())).rejects.toThrow(
      new DocumentRenderError('the documents function failed: Unhandled'),
    );
  });

  it('throws DocumentRenderError on a payload that is no PDF, or no JSON', async () => {
    aws.answer(() => answer({ pdf: Buffer.from('<html>').toString('base64') }));
    await expect(client.render(model())).rejects.toThrow(
      'the documents function answered bytes that are not a PDF',
    );
    aws.answer(() => answer({ other: 1 }));
    await expect(client.render(model())).rejects.toThrow('the documents function answered no PDF');
    aws.answer(() => answer('not json'));
    await expect(client.render(model())).rejects.toThrow('the documents function answered no JSON');
  });

  it('tries throttling again, and names a refused invocation', async () => {
    const bytes = await renderer.render(model());
    let n = 0;
    aws.answer(() =>
      ++n === 1
        ? {
            status: 429,
            headers: { 'x-amzn-errortype': 'TooManyRequestsException' },
            body: '{"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded"}',
          }
        : answer({ pdf: Buffer.from(bytes).toString('base64') }),
    );
    expect(await client.render(model())).toEqual(bytes);
    expect(aws.requests).toHaveLength(2);

    aws.answer(() => ({
      status: 403,
      headers: { 'x-amzn-errortype': 'AccessDeniedException', 'x-amzn-requestid': 'r-1' },
      body: '{"Message":"not authorized to perform: lambda:InvokeFunction"}',
    }));
    const error = await client.render(model()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsRequestError);
    expect((error as Error).message).toBe(
      'lambda Invoke failed: HTTP 403 AccessDeniedException (request id r-1)',
    );
  });

  it('calls Lambda’s regional endpoint in AWS', async () => {
    const sent: AwsRequest[] = [];
    const recorder = {
      send: async (req: AwsRequest) => {
        sent.push(req);
        throw new Error('recorded');
      },
    } as unknown as AwsServiceClient;
    await new LambdaDocumentRenderer(recorder, 'milepost-documents', 'eu-west-2')
      .render(model())
      .catch(() => undefined);
    expect(sent[0]!.url.href).toBe(
      'https://lambda.eu-west-2.amazonaws.com/2015-03-31/functions/milepost-documents/invocations',
    );
  });
});
