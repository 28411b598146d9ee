import { describe, expect, it } from 'vitest';
import { parse, renderNotifications } from '../../../../cli/commands/notifications.js';
import { parseInput } from './parse-input.js';

const delivery = (seq: number, event: string, status: 'delivered' | 'gone' | 'failed' | 'skipped', extra = {}) => ({
  seq,
  event,
  status,
  attempts: status === 'delivered' ? 1 : 0,
  at: '2025-10-13T09:05:00.000Z',
  ...extra,
});

describe('notifications', () => {
  it('takes a release or deployment ID, and --run', () => {
    expect(parse(parseInput(['release:sample']))).toEqual({
      name: 'notifications',
      id: 'release:sample',
      kind: 'release',
      run: null,
    });
    expect(parse(parseInput(['deploy:sample:production'], { run: 'r1' }))).toMatchObject({ kind: 'deploy', run: 'r1' });
    expect(() => parse(parseInput(['qa:sample:abc']))).toThrow('is not a release or deployment ID');
  });

  it('lists each target and event with how it went', () => {
    const lines = renderNotifications({
      workflowId: 'release:sample',
      runId: 'r1',
      notifier: {
        workflowId: 'notify:release:sample:r1',
        status: 'RUNNING',
        state: {
          repoId: 'sample',
          run: { workflowId: 'release:sample', runId: 'r1' },
          received: 2,
          closed: false,
          targets: [
            { name: 'team', deliveries: [delivery(1, 'release.started', 'delivered', { attempts: 3 })] },
            {
              name: 'chat',
              deliveries: [
                delivery(1, 'release.started', 'failed', {
                  error: 'notify target "chat" answered 404 to release.started',
                }),
                delivery(2, 'release.released', 'delivered'),
              ],
            },
          ],
        },
      },
    });
    expect(lines).toEqual([
      'Notifications of release:sample (run r1): notify:release:sample:r1 is delivering (2 events)',
      '',
      'TARGET  SEQ  EVENT             STATUS     ATTEMPT  AT                ERROR',
      'team    1    release.started   delivered  3        2025-10-13 09:05',
      'chat    1    release.started   failed     -        2025-10-13 09:05  notify target "chat" answered 404 to release.started',
      'chat    2    release.released  delivered  1        2025-10-13 09:05',
      '',
      'Still delivering: an event a target did not take yet is retried with backoff until its giveUpAfter.',
    ]);
  });

  it('says how a run ended when it could not send its last event', () => {
    const [head] = renderNotifications({
      workflowId: 'release:sample',
      runId: 'r3',
      notifier: {
        workflowId: 'notify:release:sample:r3',
        status: 'COMPLETED',
        state: {
          repoId: 'sample',
          run: { workflowId: 'release:sample', runId: 'r3' },
          received: 3,
          closed: true,
          runEnded: { status: 'terminated', reason: 'stuck', by: 'ops@host' },
          targets: [{ name: 'team', deliveries: [delivery(3, 'release.failed', 'delivered')] }],
        },
      },
    });
    expect(head).toBe(
      'Notifications of release:sample (run r3): notify:release:sample:r3 is done (3 events, the run was terminated by ops@host: stuck)',
    );
  });

  it('says when a run sent nothing', () => {
    expect(renderNotifications({ workflowId: 'deploy:sample:production', runId: 'r2', notifier: null })).toEqual([
      "Notifications of deploy:sample:production (run r2): none sent (no notify target takes this run's events).",
    ]);
  });
});
