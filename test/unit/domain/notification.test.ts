import { describe, expect, it } from 'vitest';
import {
  deliveryVerdict,
  eventMatches,
  NOTIFY_EVENTS,
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
});
