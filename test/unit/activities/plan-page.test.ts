import { describe, expect, it } from 'vitest';
import { changelogExcerpt, PLAN_CHANGELOG_BYTES } from '../../../activities/plan.js';

describe('changelogExcerpt', () => {
  it('keeps an entry within the limit whole', () => {
    const entry = '## 1.1.0\n\n* a fix\n';
    expect(changelogExcerpt(entry)).toEqual({ changelogEntry: entry, changelogLinesLeftOut: 0 });
    expect(changelogExcerpt(null)).toEqual({ changelogEntry: null, changelogLinesLeftOut: 0 });
  });

  it('cuts a long entry at a whole line within the limit and counts the lines left out', () => {
    const lines = ['## 2.0.0', '', ...Array.from({ length: 10_000 }, (_, i) => `* fix number ${i} (abcdef${i})`)];
    const entry = `${lines.join('\n')}\n`;
    const { changelogEntry, changelogLinesLeftOut } = changelogExcerpt(entry);
    expect(Buffer.byteLength(changelogEntry!)).toBeLessThanOrEqual(PLAN_CHANGELOG_BYTES);
    expect(entry.startsWith(changelogEntry!)).toBe(true);
    expect(changelogEntry!.endsWith(')\n')).toBe(true);
    const kept = changelogEntry!.trimEnd().split('\n').length;
    expect(changelogLinesLeftOut).toBe(lines.length - kept);
  });

  it('counts bytes, not characters, so multi-byte text stays within the limit', () => {
    const entry = `${Array.from({ length: 5_000 }, () => '* ünïcødé ✓ fix').join('\n')}\n`;
    const { changelogEntry } = changelogExcerpt(entry, 1024);
    expect(Buffer.byteLength(changelogEntry!)).toBeLessThanOrEqual(1024);
  });
});
