import { describe, expect, it } from 'vitest';
import {
  deliveryVerdict,
  endedNotification,
  eventMatches,
  NOTIFY_EVENTS,
  runEndOf,
  signedText,
  slackBody,
  type Notification,
} from '../../../domain/notification.js';
import { notificationSignature } from '../../../activities/notify.js';

const notification: Notification = {
  id: 'deploy:app:production/run-1/2',
  event: 'deploy.deployed',
  seq: 2,
  at: '2026-12-02T10:00:00.000Z',
  repo: 'app',
  workflowId: 'deploy:app:production',
  runId: 'run-1',
  version: '1.2.0',
  tag: 'v1.2.0',
  environment: 'production',
  outcome: 'deployed',
  reason: '1.2.0 is live (3 healthy samples)',
  summary: '1.2.0 is live in production',
  details: {},
};

describe('notification rules', () => {
  it('matches event names and globs', () => {
    expect(eventMatches(['*'], 'release.started')).toBe(true);
    expect(eventMatches(['deploy.*'], 'deploy.rolled-back')).toBe(true);
    expect(eventMatches(['deploy.*'], 'release.failed')).toBe(false);
    expect(eventMatches(['*.failed'], 'release.failed')).toBe(true);
    expect(eventMatches(['*.failed'], 'deploy.failed')).toBe(true);
    expect(eventMatches(['*.failed'], 'decision.awaiting')).toBe(false);
    expect(eventMatches(['release.released'], 'release.released')).toBe(true);
    // A dot is a dot, not any character.
    expect(eventMatches(['release.released'], 'releaseXreleased')).toBe(false);
    expect(eventMatches(['deploy.fail'], 'deploy.failed')).toBe(false);
    expect(eventMatches([], 'deploy.failed')).toBe(false);
  });

  it('names every event once, each a lowercase <area>.<what>', () => {
    expect(new Set(NOTIFY_EVENTS).size).toBe(NOTIFY_EVENTS.length);
    for (const event of NOTIFY_EVENTS) expect(event).toMatch(/^[a-z]+\.[a-z-]+$/);
  });

  it('reads a receiver status: delivered, gone, worth retrying or refused for good', () => {
    expect([200, 201, 202, 204, 299].map(deliveryVerdict)).toEqual(Array(5).fill('delivered'));
    expect(deliveryVerdict(410)).toBe('gone');
    expect([408, 425, 429, 500, 502, 503, 504].map(deliveryVerdict)).toEqual(Array(7).fill('retry'));
    expect([301, 302, 307, 400, 401, 403, 404, 413, 422].map(deliveryVerdict)).toEqual(Array(9).fill('refused'));
  });

  it('says a Slack text with the summary, the reason and where it came from', () => {
    expect(slackBody(notification)).toEqual({
      text: ':rocket: *app* 1.2.0 is live in production\n> 1.2.0 is live (3 healthy samples)\n`deploy.deployed` · deploy:app:production',
    });
    expect(slackBody({ ...notification, event: 'release.started', reason: null }).text).toBe(
      ':information_source: *app* 1.2.0 is live in production\n`release.started` · deploy:app:production',
    );
  });

  it('signs the timestamp and the body together', () => {
    expect(signedText('1764669600', '{"a":1}')).toBe('1764669600.{"a":1}');
    // HMAC-SHA256("secret", "1764669600.{\"a\":1}"), computed with openssl.
    const signature = notificationSignature('secret', '1764669600', '{"a":1}');
    expect(signature).toBe('sha256=eced61804a32820d5b1cd5ca64f3ca5d4d2c3e5943d015d474fc80e3faa72985');
    expect(notificationSignature('secret', '1764669601', '{"a":1}')).not.toBe(signature);
    expect(notificationSignature('other', '1764669600', '{"a":1}')).not.toBe(signature);
  });

  it('reads how a run ended from its close event', () => {
    expect(runEndOf(undefined)).toEqual({ status: 'running', reason: null, by: null });
    expect(runEndOf({ workflowExecutionTerminatedEventAttributes: { reason: 'stuck', identity: 'ops@host' } })).toEqual(
      { status: 'terminated', reason: 'stuck', by: 'ops@host' },
    );
    expect(runEndOf({ workflowExecutionTerminatedEventAttributes: { reason: '', identity: '' } })).toEqual({
      status: 'terminated',
      reason: null,
      by: null,
    });
    expect(runEndOf({ workflowExecutionTimedOutEventAttributes: {} }).status).toBe('timed out');
    expect(runEndOf({ workflowExecutionFailedEventAttributes: { failure: { message: 'boom' } } })).toEqual({
      status: 'failed',
      reason: 'boom',
      by: null,
    });
    expect(runEndOf({ workflowExecutionCanceledEventAttributes: {} }).status).toBe('cancelled');
    expect(runEndOf({ workflowExecutionContinuedAsNewEventAttributes: {} }).status).toBe('continued as new');
    expect(runEndOf({ workflowExecutionCompletedEventAttributes: {} }).status).toBe('completed');
  });

  it('says the end of a run that could not, after its last event and with what the run named', () => {
    const started: Notification = {
      ...notification,
      id: 'deploy:app:production/run-1/1',
      event: 'deploy.started',
      seq: 1,
      outcome: null,
      reason: null,
    };
    const awaiting: Notification = { ...notification, event: 'decision.awaiting', tag: null, outcome: null };
    const ended = endedNotification({
      event: 'deploy.failed',
      kind: 'deployment',
      ended: { status: 'terminated', reason: 'stuck', by: 'ops@host' },
      sent: [started, awaiting],
      at: '2026-12-02T11:00:00.000Z',
    });
    expect(ended).toEqual({
      ...notification,
      id: 'deploy:app:production/run-1/3',
      event: 'deploy.failed',
      seq: 3,
      at: '2026-12-02T11:00:00.000Z',
      outcome: 'terminated',
      reason: 'stuck',
      summary: 'deployment of 1.2.0 to production was terminated by ops@host: stuck',
      details: { closed: 'terminated', by: 'ops@host' },
    });
    const timedOut = endedNotification({
      event: 'release.failed',
      kind: 'release',
      ended: { status: 'timed out', reason: null, by: null },
      sent: [{ ...started, version: null, tag: null, environment: null }],
      at: '2026-12-02T11:00:00.000Z',
    });
    expect(timedOut).toMatchObject({ seq: 2, outcome: 'timed-out', reason: null, summary: 'release timed out' });
  });
});
