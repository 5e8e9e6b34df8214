import { describe, expect, it } from 'vitest';
import {
  cronerPattern,
  monitoringExpression,
  nextRun,
  projectSchedules,
  ScheduleExpressionError,
  statusReportDue,
  statusReportExpression,
} from '../../functions/core/schedules.js';
import { makeProjectSpec } from '../support/dynamo.js';

describe('projectSchedules', () => {
  it('gives both schedules of a spec in its customer time zone', () => {
    const spec = makeProjectSpec({
      customer: { name: 'Acme', timezone: 'America/Chicago' },
      monitoring: { every: 'week', at: '06:45' },
      communication: {
        channels: ['email'],
        statusReport: { every: 'fortnight', day: 'tuesday', at: '10:00' },
      },
    });
    expect(projectSchedules(spec)).toEqual({
      monitor: {
        kind: 'monitor',
        expression: 'cron(45 6 ? * MON *)',
        timeZone: 'America/Chicago',
        description: 'monitoring check every week at 06:45',
      },
      'status-report': {
        kind: 'status-report',
        expression: 'cron(0 10 ? * TUE *)',
        timeZone: 'America/Chicago',
        description: 'status report every fortnight on tuesday at 10:00',
      },
    });
  });

  it('names every weekday as both cron dialects read it', () => {
    const days = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
    const names = days.map((day) =>
      statusReportExpression(
        makeProjectSpec({
          communication: { channels: ['email'], statusReport: { every: 'week', day, at: '09:00' } },
        }),
      ),
    );
    expect(names).toEqual(
      ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'].map((d) => `cron(0 9 ? * ${d} *)`),
    );
  });
});

describe('cronerPattern', () => {
  it('turns the six EventBridge fields into croner five, with ? read as *', () => {
    expect(cronerPattern('cron(30 8 * * ? *)')).toBe('30 8 * * *');
    expect(cronerPattern('cron(5 7 ? * MON *)')).toBe('5 7 * * MON');
    expect(cronerPattern('cron(0 16 ? * FRI#1 *)')).toBe('0 16 * * FRI#1');
  });

  it('refuses what the two dialects would read differently', () => {
    // 2 is Monday in EventBridge and Tuesday in croner.
    expect(() => cronerPattern('cron(0 9 ? * 2 *)')).toThrow(ScheduleExpressionError);
    expect(() => cronerPattern('cron(0 9 ? * 2#1 *)')).toThrow(/name the days of the week/);
    expect(() => cronerPattern('cron(0 9 * * ? 2027)')).toThrow(/year must be \*/);
    expect(() => cronerPattern('cron(0 9 * * MON *)')).toThrow(/one of the two day fields/);
    expect(() => cronerPattern('rate(1 day)')).toThrow(/not cron/);
  });
});

describe('nextRun', () => {
  const daily = monitoringExpression(makeProjectSpec({ monitoring: { every: 'day', at: '08:00' } }));

  it('is strictly after the time given', () => {
    const at = new Date('2027-01-05T08:00:00Z');
    expect(nextRun(daily, 'Europe/London', at).toISOString()).toBe('2027-01-06T08:00:00.000Z');
    expect(nextRun(daily, 'Europe/London', new Date(at.getTime() - 1)).toISOString()).toBe(
      '2027-01-05T08:00:00.000Z',
    );
  });

  it('reads the time in the zone given', () => {
    const after = new Date('2027-07-01T00:00:00Z');
    expect(nextRun(daily, 'UTC', after).toISOString()).toBe('2027-07-01T08:00:00.000Z');
    expect(nextRun(daily, 'Asia/Tokyo', after).toISOString()).toBe('2027-07-01T23:00:00.000Z');
    expect(nextRun(daily, 'America/Los_Angeles', after).toISOString()).toBe('2027-07-01T15:00:00.000Z');
  });
});

describe('statusReportDue', () => {
  it('is due every week for a weekly report', () => {
    expect(statusReportDue('week', '2027-01-15', '2027-01-04')).toBe(true);
    expect(statusReportDue('week', '2027-01-22', '2027-01-04')).toBe(true);
  });

  it('is due every other ISO week from the week of the timeline start for a fortnightly report', () => {
    // 2027-01-06 (a Wednesday) starts the week of Monday 2027-01-04.
    expect(statusReportDue('fortnight', '2027-01-08', '2027-01-06')).toBe(true);
    expect(statusReportDue('fortnight', '2027-01-15', '2027-01-06')).toBe(false);
    expect(statusReportDue('fortnight', '2027-01-22', '2027-01-06')).toBe(true);
    // Before the start too (a report sent early keeps the same rhythm).
    expect(statusReportDue('fortnight', '2026-12-25', '2027-01-06')).toBe(true);
    expect(statusReportDue('fortnight', '2027-01-01', '2027-01-06')).toBe(false);
  });

  it('is due only in the first seven days of the month for a monthly report', () => {
    expect(statusReportDue('month', '2027-02-05', '2027-01-04')).toBe(true);
    expect(statusReportDue('month', '2027-02-07', '2027-01-04')).toBe(true);
    expect(statusReportDue('month', '2027-02-12', '2027-01-04')).toBe(false);
  });
});
