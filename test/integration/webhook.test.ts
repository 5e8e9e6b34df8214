import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelsNotifier } from '../../functions/adapters/channels-notifier.js';
import { EmailNotifier } from '../../functions/adapters/email-notifier.js';
import { WebhookDeliveryError, WebhookNotifier } from '../../functions/adapters/webhook-notifier.js';
import { healthChanged } from '../../functions/core/notifications/alerts.js';
import { approvalRequest } from '../../functions/core/notifications/approval-request.js';
import { type NotificationContext, Secret } from '../../functions/core/notifications/notification.js';
import { runMonitoringCheck } from '../../functions/core/use-cases/run-monitoring-check.js';
import { createHttpApp } from '../../functions/http/app.js';
import { localOutbox } from '../../local/runtime.js';
import type { SesLocal } from '../../local/ses-local.js';
import { startWebhookLocal, type WebhookLocal } from '../../local/webhook-local.js';
import {
  makeProject,
  makeProjectSpec,
  makeStages,
  makeTask,
  makeTestStore,
  type TestStore,
} from '../support/dynamo.js';
import { makeTestDeps, RecordingMailer } from '../support/fakes.js';

/** A local HTTP server standing in for Teams or Slack: answers with `status(n)` for the n-th post. */
async function fakeChannel(status: (n: number) => number | 'hang' = () => 200) {
  const posts: { path: string; headers: IncomingMessage['headers']; body: unknown }[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    posts.push({
      path: req.url ?? '',
      headers: req.headers,
      body: JSON.parse(Buffer.concat(chunks).toString()),
    });
    const s = status(posts.length);
    if (s === 'hang') return; // never answers
    res.writeHead(s, s === 429 ? { 'retry-after': '1' } : {}).end(s < 300 ? 'ok' : 'no');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    posts,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const ctx = (webhook?: NotificationContext['webhook']): NotificationContext => ({
  mspName: 'Northwind <IT>',
  projectName: 'Mail *migration* [x](http://evil.example)',
  customerName: 'Acme',
  timezone: 'Europe/London',
  ...(webhook ? { webhook } : {}),
});

const alert = (c: NotificationContext) =>
  healthChanged({
    ctx: c,
    to: [{ email: 'pm@msp.example' }],
    from: 'green',
    rag: 'red',
    reasons: ['stage Initiation is 9 day(s) overdue'],
    spi: 0.5,
    cpi: 1,
    projectUrl: 'https://milepost.example/projects/acme',
  });

let channel: Awaited<ReturnType<typeof fakeChannel>> | undefined;
afterEach(async () => {
  await channel?.close();
  channel = undefined;
});

describe('WebhookNotifier', () => {
  it('posts a Slack message: the subject as text, a header and mrkdwn sections, escaped', async () => {
    channel = await fakeChannel();
    const notifier = new WebhookNotifier();
    const url = channel.url('/services/T000/B000/SECRETPART');
    expect(await notifier.post(alert(ctx({ kind: 'slack', url: new Secret(url) })))).toBe(true);

    expect(channel.posts).toHaveLength(1);
    const post = channel.posts[0]!;
    expect(post.path).toBe('/services/T000/B000/SECRETPART');
    expect(post.headers['content-type']).toBe('application/json');
    const body = post.body as {
      text: string;
      blocks: { type: string; text?: { type: string; text: string } }[];
    };
    expect(body.text).toContain('Health is red (was green)');
    expect(body.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Health is red (was green)' },
    });
    const sections = body.blocks.filter((b) => b.type === 'section').map((b) => b.text?.text ?? '');
    expect(sections.join('\n')).toContain('*Red: at risk*');
    expect(sections.join('\n')).toContain('- stage Initiation is 9 day(s) overdue');
    // Slack's mrkdwn: < > & escaped so that nothing becomes a link or a mention.
    expect(JSON.stringify(body.blocks)).toContain('Northwind &lt;IT&gt;');
    expect(JSON.stringify(body.blocks)).not.toContain('<IT>');
  });

  it('posts a Teams message with one Adaptive Card whose text cannot form links or emphasis', async () => {
    channel = await fakeChannel((n) => (n === 1 ? 202 : 200));
    const notifier = new WebhookNotifier();
    await notifier.post(alert(ctx({ kind: 'teams', url: new Secret(channel.url('/workflows/abc')) })));
    const body = channel.posts[0]!.body as {
      type: string;
      attachments: {
        contentType: string;
        content: { type: string; version: string; body: { type: string; text: string }[] };
      }[];
    };
    expect(body.type).toBe('message');
    expect(body.attachments).toHaveLength(1);
    const card = body.attachments[0]!;
    expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(card.content.body[0]).toMatchObject({
      type: 'TextBlock',
      text: 'Health is red (was green)',
      weight: 'Bolder',
    });
    const texts = card.content.body.map((b) => b.text);
    expect(texts).toContain('Northwind <IT> · Mail \\*migration\\* \\[x\\](http://evil.example)');
    expect(texts).toContain('Schedule (SPI): 0.50');
  });

  it('uses the project’s channel over the platform’s, and the platform’s when the project has none', async () => {
    channel = await fakeChannel();
    const c = channel;
    const notifier = new WebhookNotifier({
      platform: { kind: 'slack', url: async () => c.url('/platform') },
    });
    await notifier.post(alert(ctx({ kind: 'slack', url: new Secret(c.url('/project')) })));
    await notifier.post(alert(ctx()));
    expect(channel.posts.map((p) => p.path)).toEqual(['/project', '/platform']);
    expect(await new WebhookNotifier().post(alert(ctx()))).toBe(false);
  });

  it('reads a project channel’s URL from its secret when the spec names one', async () => {
    channel = await fakeChannel();
    const c = channel;
    const asked: string[] = [];
    const notifier = new WebhookNotifier({
      readSecret: async (name) => {
        asked.push(name);
        return c.url('/from-secret');
      },
    });
    await notifier.post(alert(ctx({ kind: 'slack', secretName: 'milepost/webhooks/acme' })));
    expect(asked).toEqual(['milepost/webhooks/acme']);
    expect(channel.posts.map((p) => p.path)).toEqual(['/from-secret']);
    const unreadable = await new WebhookNotifier()
      .post(alert(ctx({ kind: 'slack', secretName: 'milepost/webhooks/acme' })))
      .catch((e: unknown) => e);
    expect(unreadable).toBeInstanceOf(WebhookDeliveryError);
  });

  it('retries a 5xx and a 429 (after its Retry-After), then delivers once', async () => {
    channel = await fakeChannel((n) => (n === 1 ? 503 : n === 2 ? 429 : 200));
    const notifier = new WebhookNotifier({ backoffMs: 10 });
    await notifier.post(alert(ctx({ kind: 'slack', url: new Secret(channel.url('/x')) })));
    expect(channel.posts).toHaveLength(3);
  });

  it('gives up at once on a 4xx, and after its attempts on a channel that never answers, never naming the URL', async () => {
    channel = await fakeChannel((n) => (n === 1 ? 404 : 'hang'));
    const url = channel.url('/hooks/SECRET-TOKEN-123');
    const notifier = new WebhookNotifier({ backoffMs: 10, timeoutMs: 300, attempts: 2 });
    const refused = await notifier
      .post(alert(ctx({ kind: 'slack', url: new Secret(url) })))
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WebhookDeliveryError);
    expect((refused as Error).message).toBe('slack webhook: HTTP 404');
    expect(channel.posts).toHaveLength(1);

    const silent = await notifier
      .post(alert(ctx({ kind: 'teams', url: new Secret(url) })))
      .catch((e: unknown) => e);
    expect((silent as Error).message).toBe('teams webhook: no answer within 300 ms');
    expect(channel.posts).toHaveLength(3);
    for (const e of [refused, silent]) {
      expect(String(e)).not.toContain('SECRET-TOKEN');
      expect(JSON.stringify(e)).not.toContain('SECRET-TOKEN');
    }
  });
});

describe('ChannelsNotifier', () => {
  it('posts staff notices to the channel and never an approval request', async () => {
    channel = await fakeChannel();
    const mailer = new RecordingMailer();
    const notifier = new ChannelsNotifier(new EmailNotifier(mailer), new WebhookNotifier());
    const target = { kind: 'slack' as const, url: new Secret(channel.url('/c')) };
    const request = approvalRequest({
      ctx: ctx(target),
      to: 'sponsor@acme.example',
      approverName: 'Amara',
      stageName: 'Initiation',
      approves: 'the charter',
      rule: 'all',
      approverCount: 1,
      url: 'https://milepost.example/approve/LINK-ID-SECRET',
      expiresAt: 1_900_000_000,
    });
    await notifier.announce(request);
    await notifier.announce(alert(ctx(target)));
    expect(channel.posts).toHaveLength(1);
    expect(JSON.stringify(channel.posts)).not.toContain('LINK-ID-SECRET');
    expect((channel.posts[0]!.body as { text: string }).text).toContain('Health is red');
  });
});

describe('chat posts in the local outbox', () => {
  let ts: TestStore;
  let webhooks: WebhookLocal;
  beforeEach(async () => {
    ts = await makeTestStore();
    webhooks = await startWebhookLocal();
  });
  afterEach(async () => {
    await webhooks.stop();
    await ts.drop();
  });

  it('captures the post of a project turning red with its channel, lists it in GET /api/outbox, and keeps the URL out', async () => {
    const secretUrl = 'https://hooks.slack.com/services/T0/B0/VERY-SECRET-PART';
    const spec = makeProjectSpec({
      id: 'chatty',
      stages: [
        { key: 'initiation', due: '2026-12-10' },
        { key: 'execution', due: '2027-01-20' },
        { key: 'support', due: '2027-02-26' },
      ],
      notifications: { webhook: { kind: 'slack', url: secretUrl } },
    });
    const project = makeProject({}, spec);
    await ts.store.commit([
      project,
      ...makeStages(project).map((s, i) => (i === 0 ? { ...s, status: 'active' as const } : s)),
      makeTask({ projectId: 'chatty', id: 'kickoff', stage: 'initiation', estimateHours: 10 }),
    ]);
    const mailer = new RecordingMailer();
    const deps = makeTestDeps(ts.store, {
      mailer,
      notifier: new ChannelsNotifier(
        new EmailNotifier(mailer),
        new WebhookNotifier({ captureEndpoint: webhooks.endpoint }),
      ),
    });
    deps.clock.set('2026-12-18T09:00:00Z');
    await runMonitoringCheck(deps, 'chatty');
    await runMonitoringCheck(deps, 'chatty');

    const posts = webhooks.posts();
    expect(posts.map((p) => [p.channel, p.kind, p.scope])).toEqual([
      ['slack', 'health-changed', 'project'],
      ['slack', 'deviation-opened', 'project'],
    ]);
    const ses = {
      outbox: async () => [
        {
          messageId: 'e1',
          from: 'a@b.example',
          to: ['pm@msp.example'],
          subject: 's',
          text: 't',
          html: '<p>t</p>',
          sentAt: '2000-01-01T00:00:00.000Z',
        },
      ],
    } as unknown as SesLocal;
    const app = createHttpApp(deps, { outbox: { list: () => localOutbox(ses, webhooks) } });
    const res = await app.fetch(new Request('http://127.0.0.1/api/outbox'), {
      caller: 'local',
      path: '/api/outbox',
    });
    expect(res.status).toBe(200);
    const outbox = (await res.json()) as { channel: string; kind?: string; text: string; subject: string }[];
    expect(outbox.map((o) => o.channel)).toEqual(['email', 'slack', 'slack']);
    expect(outbox[1]).toMatchObject({ kind: 'health-changed' });
    expect(outbox[1]?.subject).toContain('Health is red (was green)');
    expect(outbox[1]?.text).toContain('Red: at risk');
    const everything = JSON.stringify([
      outbox,
      (deps.log as unknown as { lines: string[] }).lines,
      await ts.store.listEvents('chatty'),
    ]);
    expect(everything).not.toContain('VERY-SECRET-PART');
  });
});
