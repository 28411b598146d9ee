import { describe, expect, it } from 'vitest';
import { rejectedRefs } from '../../../activities/git.js';

describe('rejectedRefs', () => {
  it('reads every refused ref of an atomic push with its reason', () => {
    const porcelain = [
      'To file:///tmp/remote.git',
      '!\trefs/heads/main:refs/heads/main\t[remote rejected] (pre-receive hook declined)',
      '!\trefs/tags/v1.0.0:refs/tags/v1.0.0\t[remote rejected] (atomic push failed)',
      'Done',
    ].join('\n');
    expect(rejectedRefs(porcelain)).toEqual([
      { ref: 'refs/heads/main', reason: '[remote rejected] (pre-receive hook declined)' },
      { ref: 'refs/tags/v1.0.0', reason: '[remote rejected] (atomic push failed)' },
    ]);
  });

  it('finds none in a push that never reached the remote, or in one that went through', () => {
    expect(rejectedRefs('')).toEqual([]);
    expect(
      rejectedRefs(
        'To file:///tmp/remote.git\n \t0123456:refs/heads/main\t0123..4567\n*\trefs/tags/v1.0.0:refs/tags/v1.0.0\t[new tag]\nDone\n',
      ),
    ).toEqual([]);
  });
});
