/**
 * The fixture of the tests whose approvers are emailed through the local SES server, on DynamoDB
 * Local (change requests end to end; a change request approved, or a spec edit deployed, while a
 * gate's round is out): a fresh table and deps per test, the emails each test sent, the approval links in them, a
 * person's browser deciding a link, and a store that runs a step just before or after one commit
 * (the races).
 */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { EmailNotifier } from '../../functions/adapters/email-notifier.js';
import { SesMailer } from '../../functions/adapters/ses-mailer.js';
import type { DocumentRecord, Entity, Gate, ProjectEvent } from '../../functions/core/model.js';
import type { Deps, ProjectStore } from '../../functions/core/ports.js';
import type { HttpResponse } from '../../functions/http/exchange.js';
import { type OutboxEmail, type SesLocal, startSesLocal } from '../../local/ses-local.js';
import { makeTestStore, type TestStore } from '../support/dynamo.js';
import { makeTestDeps, START, type TestDeps } from '../support/fakes.js';
import { getPage, nonceOf, postForm, snapshot } from './approval-support.js';

export interface GateMail {
  /** This test's deps (the SES mailer, the clock at START). */
  readonly deps: TestDeps;
  /** This test's table. */
  readonly ts: TestStore;
  /** The emails this test sent (the server's outbox is shared by the file's tests). */
  sent(): Promise<OutboxEmail[]>;
  /** Every approval link id in the approval requests sent to `to`, oldest first. */
  gateLinks(to: string): Promise<string[]>;
  /** The approval requests this test sent. */
  approvalRequests(): Promise<OutboxEmail[]>;
  /** A person's browser: GET the page for its nonce, then POST the form (with `on` as the deps). */
  decide(linkId: string, decision: 'approve' | 'reject', on?: Deps): Promise<HttpResponse>;
  /** The project's initiation gate. */
  gate(): Promise<Gate>;
  /** The project's events of `type`. */
  events(type: string): Promise<ProjectEvent[]>;
  /** The project's charter record. */
  charter(): Promise<DocumentRecord>;
  /** The project's items (not the table's other projects), as stored. */
  projectItems(): Promise<Record<string, unknown>[]>;
  /** The deps with a store whose commits call `hook` once, before or after the first matching commit. */
  hooked(match: (changes: Entity[]) => boolean, when: 'before' | 'after', hook: () => Promise<unknown>): Deps;
}

/** A commit that decides a gate's link (not a change request's). */
export const isGateDecision = (changes: Entity[]) =>
  changes.some((c) => c.entity === 'link' && c.status === 'decided' && c.target !== 'change');

/** Registers the file's hooks (the SES server for the file, a table per test) and returns its helpers. */
export function useGateMail(projectId: string): GateMail {
  let ses: SesLocal;
  let sesClient: SESv2Client;
  let ts: TestStore;
  let deps: TestDeps;
  let seen = 0;

  beforeAll(async () => {
    ses = await startSesLocal();
    sesClient = new SESv2Client({
      endpoint: ses.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });
  afterAll(async () => {
    sesClient.destroy();
    await ses.stop();
  });
  beforeEach(async () => {
    ts = await makeTestStore();
    deps = makeTestDeps(ts.store, {
      notifier: new EmailNotifier(new SesMailer(sesClient, 'milepost@msp.example')),
    });
    deps.clock.set(START);
    seen = (await ses.outbox()).length;
  });
  afterEach(async () => {
    await ts.drop();
  });

  const sent = async () => (await ses.outbox()).slice(seen);
  return {
    get deps() {
      return deps;
    },
    get ts() {
      return ts;
    },
    sent,
    async gateLinks(to) {
      const mails = (await sent()).filter((m) => m.to.includes(to) && m.subject.includes('Approval needed'));
      return mails.flatMap((m) => [
        ...new Set([...m.text.matchAll(/\/approve\/([A-Za-z0-9_-]{43})/g)].map((x) => x[1]!)),
      ]);
    },
    async approvalRequests() {
      return (await sent()).filter((m) => m.subject.includes('Approval needed'));
    },
    async decide(linkId, decision, on = deps) {
      const page = await getPage(deps, linkId);
      if (page.status !== 200) return page;
      return postForm(on as TestDeps, linkId, {
        decision,
        comment: decision === 'reject' ? 'Not yet' : '',
        csrf: nonceOf(page),
      });
    },
    async gate() {
      const g = await deps.store.get(projectId, 'gate', 'initiation');
      if (!g) throw new Error('no gate');
      return g;
    },
    async events(type) {
      return (await deps.store.listEvents(projectId, { limit: 1000 })).items.filter((e) => e.type === type);
    },
    async charter() {
      const d = await deps.store.get(projectId, 'document', 'charter');
      if (!d) throw new Error('no charter');
      return d;
    },
    async projectItems() {
      return (await snapshot(ts)).filter((i) => String(i['PK']) === `PROJECT#${projectId}`);
    },
    hooked(match, when, hook) {
      const real = deps.store;
      let fired = false;
      const store = new Proxy(real, {
        get(target, prop) {
          if (prop === 'commit') {
            return async (
              changes: Entity[],
              evts?: Parameters<ProjectStore['commit']>[1],
              removals?: Parameters<ProjectStore['commit']>[2],
            ) => {
              const now = !fired && match(changes);
              if (now) fired = true;
              if (now && when === 'before') await hook();
              const stored = await target.commit(changes, evts, removals);
              if (now && when === 'after') await hook();
              return stored;
            };
          }
          const value = Reflect.get(target, prop, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      return { ...deps, store };
    },
  };
}
