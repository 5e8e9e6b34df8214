/** The kept clock: continues after a stop, and after a crash never starts before a time it handed out. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KeptClock, readKeptTime } from '../../local/kept-clock.js';

const root = mkdtempSync(join(tmpdir(), 'milepost-clock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('kept clock', () => {
  it('writes where it stopped, and a new clock continues from there', () => {
    const file = join(root, 'stop.json');
    const start = new Date('2030-01-01T00:00:00.000Z');
    const clock = new KeptClock(file, start, 3600);
    clock.advance(86_400_000);
    const last = clock.now();
    clock.close();
    expect(readKeptTime(file)?.getTime()).toBe(last.getTime());
    expect(clock.now().getTime()).toBe(last.getTime());
    const next = new KeptClock(file, readKeptTime(file)!, 3600);
    expect(next.now().getTime()).toBeGreaterThanOrEqual(last.getTime());
    next.close();
  });

  it('keeps a lease on disk at or after every time it handed out (a crash loses nothing)', () => {
    const file = join(root, 'crash.json');
    const clock = new KeptClock(file, new Date('2030-01-01T00:00:00.000Z'), 3600);
    clock.advance(3_600_000);
    const seen = clock.now().getTime();
    // No close(): as after SIGKILL, only the lease is on disk.
    expect(readKeptTime(file)!.getTime()).toBeGreaterThanOrEqual(seen);
    expect(JSON.parse(readFileSync(file, 'utf8')).factor).toBe(3600);
    clock.close();
  });

  it('refuses a file that is not a clock', () => {
    const file = join(root, 'bad.json');
    writeFileSync(file, '{"now":"yesterday"}');
    expect(() => readKeptTime(file)).toThrow();
    expect(readKeptTime(join(root, 'absent.json'))).toBeUndefined();
  });
});
