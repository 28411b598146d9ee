import { describe, expect, it } from 'vitest';
import { duration, parse, renderEnvironments } from '../../../../cli/commands/envs.js';
import { environment, environments, version } from '../environments-fixtures.js';
import { at } from '../runs.js';
import { parseInput } from './parse-input.js';

describe('envs', () => {
  it('takes the repository, and --limit as the API bounds it', () => {
    expect(parse(parseInput(['shop']))).toEqual({ name: 'envs', repo: 'shop', limit: null });
    expect(parse(parseInput(['shop'], { limit: '5' }))).toMatchObject({ limit: 5 });
    expect(() => parse(parseInput(['shop'], { limit: '0' }))).toThrow('--limit must be a whole number from 1 to 999');
  });

  it('shows one row per environment in promotion order: live, since, last good, pinned, pending', () => {
    const lines = renderEnvironments(
      environments([
        environment({ live: version('1.2.0', 5), lastGood: version('1.2.0', 5) }),
        environment({
          name: 'production',
          after: 'staging',
          soakMs: 600_000,
          autoPromote: false,
          live: version('1.1.0', 1, false),
          lastGood: version('1.0.0', 0),
          pinned: { by: 'ana', reason: 'release freeze', at: at(10, 2), version: '1.1.0', automatic: false },
          pending: [
            {
              requestId: 'r1',
              version: '1.2.0',
              kind: 'promotion',
              trigger: 'manual',
              requestedBy: 'promotion:shop:1.2.0',
              from: 'staging',
              replyTo: 'promotion:shop:1.2.0',
              waitIfPinned: true,
              status: 'held',
              requestedAt: at(10, 6),
              deployment: null,
            },
          ],
        }),
      ]),
    );
    expect(lines).toEqual([
      'ENV         LIVE                SINCE             LAST GOOD  PINNED                  PENDING',
      'staging     1.2.0               2025-10-13 10:05  1.2.0      -                       -',
      'production  1.1.0 (unverified)  2025-10-13 10:01  1.0.0      by ana: release freeze  1.2.0 held',
      '',
      'staging → production: after 10m healthy, on request (shipgate promote)',
    ]);
  });

  it('says which environments are shown from the deploy reports, and a rollback pin as such', () => {
    const lines = renderEnvironments(
      environments(
        [
          environment({ started: false }),
          environment({
            name: 'production',
            after: 'staging',
            soakMs: 90_000,
            pinned: {
              by: 'deploy:shop:production',
              reason: '1.3.0 rolled back',
              at: at(9, 0),
              version: '1.2.0',
              automatic: true,
            },
          }),
        ],
        { warnings: ['skipped deploy-x.md'] },
      ),
    );
    expect(lines[2]).toContain('by a rollback: 1.3.0 rolled back');
    expect(lines.slice(3)).toEqual([
      '',
      'staging → production: after 1m30s healthy, by itself',
      "not deployed through shipgate's environments yet (shown from the deploy reports): staging",
      'warning: skipped deploy-x.md',
    ]);
    expect(renderEnvironments(environments([], { promotes: false }))).toEqual([
      'shop has no environments: it deploys nowhere.',
    ]);
  });

  it('says which environments are frozen, until when and why, and the windows coming', () => {
    const lines = renderEnvironments(
      environments([
        environment({ freeze: { windows: 0, open: null, coming: [] } }),
        environment({
          name: 'production',
          after: 'staging',
          freeze: {
            windows: 2,
            open: { from: at(9, 0), until: at(12, 0), reason: 'quarter end' },
            coming: [
              { from: at(18, 0), until: at(20, 0), reason: null },
              { from: at(22, 0), until: at(23, 30), reason: 'backups' },
            ],
          },
        }),
        environment({ name: 'canary', after: 'staging', freeze: { windows: 1, open: null, coming: [] } }),
        environment({
          name: 'eu',
          after: 'staging',
          freeze: { windows: 1, open: null, coming: [{ from: at(18, 0), until: at(19, 0), reason: 'weekend' }] },
        }),
      ]),
    );
    expect(lines.slice(-4)).toEqual([
      '',
      'production: frozen until 2025-10-13 12:00 (quarter end); next 2025-10-13 18:00 → 2025-10-13 20:00, 2025-10-13 22:00 → 2025-10-13 23:30 (backups)',
      'canary: not frozen; no freeze window coming',
      'eu: not frozen; next 2025-10-13 18:00 → 2025-10-13 19:00 (weekend)',
    ]);
  });

  it('writes soak times short', () => {
    expect([0, 1000, 90_000, 3_600_000, 3_661_000].map(duration)).toEqual(['0s', '1s', '1m30s', '1h', '1h1m1s']);
  });
});
