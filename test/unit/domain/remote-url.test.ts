import { describe, expect, it } from 'vitest';
import { normaliseRemoteUrl } from '../../../domain/remote-url.js';

describe('normaliseRemoteUrl', () => {
  it.each([
    ['https://github.com/Acme/Rocket.git', 'github.com/acme/rocket'],
    ['https://github.com/acme/rocket', 'github.com/acme/rocket'],
    ['https://token:x@github.com/acme/rocket/', 'github.com/acme/rocket'],
    ['git@github.com:acme/rocket.git', 'github.com/acme/rocket'],
    ['ssh://git@github.com:22/acme/rocket.git', 'github.com/acme/rocket'],
    ['git://github.com/acme/rocket.git', 'github.com/acme/rocket'],
    ['https://gitlab.example.com/group/sub/rocket.git', 'gitlab.example.com/group/sub/rocket'],
    ['file:///srv/remotes/rocket.git', 'file/srv/remotes/rocket'],
  ])('reduces %s to %s', (url, expected) => {
    expect(normaliseRemoteUrl(url)).toBe(expected);
  });

  it('gives null for text that is no URL', () => {
    expect(normaliseRemoteUrl('')).toBeNull();
    expect(normaliseRemoteUrl('not a url')).toBeNull();
  });
});
