import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import { refusal, where } from './refusal.js';

const repo = (id: string, extra = '') =>
  `  - id: ${id}\n    path: ./${id}\n    test: { command: [npm, test] }\n${extra}`;
const file = (top: string, ...repos: string[]) => `${top}repositories:\n${repos.join('')}`;

describe('notify targets in the configuration', () => {
  it('gives every repository the global targets, then its own, with their defaults', () => {
    const config = parseConfig(
      file(
        [
          'notify:',
          '  - name: ops',
          '    url: https://hooks.example.test/shipgate',
          '    secretEnv: SHIPGATE_NOTIFY_SECRET',
          '',
        ].join('\n'),
        repo(
          'app',
          '    notify:\n      - { name: chat, urlEnv: SLACK_URL, format: slack, events: ["deploy.*", "*.failed"], timeout: 3s, giveUpAfter: 1h }\n',
        ),
        repo('lib'),
      ),
      where,
    );
    const ops = {
      name: 'ops',
      url: 'https://hooks.example.test/shipgate',
      urlEnv: null,
      format: 'json',
      events: ['*'],
      secretEnv: 'SHIPGATE_NOTIFY_SECRET',
      timeoutMs: 10_000,
      giveUpAfterMs: 86_400_000,
    };
    expect(config.repositories[0]!.notify).toEqual([
      ops,
      {
        name: 'chat',
        url: null,
        urlEnv: 'SLACK_URL',
        format: 'slack',
        events: ['deploy.*', '*.failed'],
        secretEnv: null,
        timeoutMs: 3_000,
        giveUpAfterMs: 3_600_000,
      },
    ]);
    expect(config.repositories[1]!.notify).toEqual([ops]);
  });

  it('has no targets unless configured', () => {
    expect(parseConfig(file('', repo('app')), where).repositories[0]!.notify).toEqual([]);
  });

  it('refuses a target with no URL, or with both a URL and its variable', () => {
    expect(refusal(file('', repo('app', '    notify:\n      - { name: ops }\n')))).toMatch(
      /repositories\[0\]\.notify\[0\] must have exactly one of url or urlEnv/,
    );
    expect(
      refusal(file('', repo('app', '    notify:\n      - { name: ops, url: "http://a.test/", urlEnv: HOOK_URL }\n'))),
    ).toMatch(/must have exactly one of url or urlEnv/);
  });

  it('refuses an event glob that matches no event, naming the events there are', () => {
    expect(
      refusal(
        file('', repo('app', '    notify:\n      - { name: ops, url: "http://a.test/", events: [deploy.faild] }\n')),
      ),
    ).toMatch(/notify\[0\]\.events: "deploy\.faild" matches no event shipgate sends \(events: release\.started, /);
  });

  it('refuses a name used twice, globally or between the global targets and a repository', () => {
    expect(
      refusal(
        file(
          'notify:\n  - { name: ops, url: "http://a.test/" }\n  - { name: ops, url: "http://b.test/" }\n',
          repo('app'),
        ),
      ),
    ).toMatch(/notify\[1\]\.name "ops" is used twice/);
    expect(
      refusal(
        file(
          'notify:\n  - { name: ops, url: "http://a.test/" }\n',
          repo('app', '    notify:\n      - { name: ops, url: "http://b.test/" }\n'),
        ),
      ),
    ).toMatch(/repositories\[0\]\.notify: "ops" is also a global notify target/);
  });

  it('refuses a URL that is not http(s), and a format it does not know', () => {
    expect(refusal(file('', repo('app', '    notify:\n      - { name: ops, url: "file:///etc/passwd" }\n')))).toMatch(
      /notify\[0\]\.url|notify\/0\/url/,
    );
    expect(
      refusal(file('', repo('app', '    notify:\n      - { name: ops, url: "http://a.test/", format: teams }\n'))),
    ).toMatch(/notify\[0\]\.format|notify\/0\/format/);
  });
});
