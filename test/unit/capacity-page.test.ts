import { describe, expect, it } from 'vitest';
import { capacityPage } from '../../functions/core/pages/console/capacity.js';

describe('capacityPage', () => {
  it('shows each person per week, marks weeks over 100 % in words and explains them, escaped', () => {
    const page = capacityPage({
      from: '2026-12-07',
      weeks: ['2026-12-07', '2026-12-14'],
      people: [
        {
          email: 'alex@msp.example',
          name: 'Alex <b>Kim</b>',
          peak: 140,
          weeks: [
            {
              week: '2026-12-07',
              isoWeek: '2026-W50',
              total: 140,
              over: true,
              projects: [
                {
                  projectId: 'harbor-firewall',
                  projectName: 'Harbor',
                  allocation: 80,
                  stages: ['execution'],
                },
                {
                  projectId: 'acme-m365',
                  projectName: 'Acme "M365"',
                  allocation: 60,
                  stages: ['resourcing'],
                },
              ],
            },
            { week: '2026-12-14', isoWeek: '2026-W51', total: 0, over: false, projects: [] },
          ],
        },
      ],
    });
    expect(page).toContain('Alex &lt;b&gt;Kim&lt;/b&gt;');
    expect(page).not.toContain('<b>Kim</b>');
    expect(page).toMatch(
      /<td[^>]*title="harbor-firewall 80 % \(execution\); acme-m365 60 % \(resourcing\)">140 %<div class="small">over<\/div><\/td>/,
    );
    expect(page).toContain('alex@msp.example</strong>: 140 % in week 2026-12-07 (2026-W50)');
    expect(page).toContain('href="/capacity?from=2026-11-23&amp;weeks=2"');
    expect(page).toContain('href="/capacity?from=2026-12-21&amp;weeks=2"');
  });

  it('says so when nobody is allocated', () => {
    const page = capacityPage({ from: '2026-12-07', weeks: ['2026-12-07'], people: [] });
    expect(page).toContain('Nobody is allocated to an active project.');
    expect(page).toContain('Nobody is above 100 % in these weeks.');
  });
});
