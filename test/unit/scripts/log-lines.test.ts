import { describe, expect, it } from 'vitest';
import { formatLogLine } from '../../../scripts/log-lines.js';

describe('formatLogLine', () => {
  it('turns a pino line into time, source, message and fields', () => {
    const line = JSON.stringify({
      level: 30,
      time: Date.UTC(2026, 0, 2, 3, 4, 5),
      pid: 1,
      hostname: 'h',
      name: 'shipgate-worker',
      msg: 'activity completed',
      activity: 'runTests',
      ms: 812,
    });
    expect(formatLogLine(line, 'worker')).toBe('03:04:05 worker  activity completed  activity=runTests ms=812');
  });

  it('names levels above info', () => {
    expect(formatLogLine(JSON.stringify({ level: 40, time: 0, msg: 'slow' }), 'api')).toBe(
      '00:00:00 api     WARN slow',
    );
  });

  it('passes other lines through', () => {
    expect(formatLogLine('plain text', 'api')).toBe('api     plain text');
    expect(formatLogLine('{not json', 'api')).toBe('api     {not json');
  });
});
