import { describe, expect, it } from 'vitest';
import { pathTo, promotionTargets, withEnvironment } from '../../../config/environments.js';
import { parseConfig } from '../../../config/load.js';
import { refusal, where } from './refusal.js';

const repo = (extra: string) =>
  `repositories:\n  - id: webshop\n    path: ./webshop\n    test: { command: [npm, test] }\n${extra}`;

const env = (name: string, more = '') =>
  `      - name: ${name}\n        deploy: { command: [./deploy.sh, ${name}] }\n        health: { url: "http://${name}.example.test/healthz" }\n${more}`;

describe('environments in the configuration', () => {
  it('reads the legacy deploy and health as one environment, which promotes nowhere', () => {
    const [r] = parseConfig(
      repo(
        '    deploy: { environment: live, command: [./deploy.sh] }\n    health: { url: "http://live.example.test/healthz" }\n',
      ),
      where,
    ).repositories;
    expect(r!.promotes).toBe(false);
    expect(r!.environments).toHaveLength(1);
    expect(r!.environments[0]).toMatchObject({ name: 'live', after: null, soakMs: 0 });
    expect(r!.environments[0]!.deploy).toEqual(r!.deploy);
    expect(r!.environments[0]!.health).toEqual(r!.health);
  });

  it('has no environment without deploy settings', () => {
    const [r] = parseConfig(repo(''), where).repositories;
    expect(r!.environments).toEqual([]);
    expect(r!.promotes).toBe(false);
  });

  it('reads environments in promotion order, each with its own deploy and health', () => {
    const [r] = parseConfig(
      repo(
        `    environments:\n${env('staging')}${env('production', '        after: staging\n        soak: 10m\n        autoPromote: false\n')}`,
      ),
      where,
    ).repositories;
    expect(r!.promotes).toBe(true);
    expect(r!.environments.map((e) => [e.name, e.after, e.soakMs, e.autoPromote])).toEqual([
      ['staging', null, 0, true],
      ['production', 'staging', 600_000, false],
    ]);
    expect(r!.environments[1]!.deploy).toMatchObject({
      environment: 'production',
      command: ['./deploy.sh', 'production'],
    });
    // The repository-level settings are the first environment's.
    expect(r!.deploy?.environment).toBe('staging');
    expect(withEnvironment(r!, 'production').health?.url).toBe('http://production.example.test/healthz');
    expect(withEnvironment(r!, 'staging')).toBe(r);
    expect(promotionTargets(r!, 'staging').map((e) => e.name)).toEqual(['production']);
    expect(pathTo(r!, 'production').map((e) => e.name)).toEqual(['staging', 'production']);
  });

  it('refuses an after that does not name an earlier environment', () => {
    expect(
      refusal(repo(`    environments:\n${env('production', '        after: staging\n')}${env('staging')}`)),
    ).toMatch(/environments\[0\]\.after: the first environment is where releases deploy/);
    expect(
      refusal(repo(`    environments:\n${env('staging')}${env('production', '        after: canary\n')}`)),
    ).toMatch(/environments\[1\]\.after "canary" is not an environment listed before it \(staging\)/);
  });

  it('refuses a first environment with an after, and a later one without', () => {
    expect(refusal(repo(`    environments:\n${env('staging', '        after: staging\n')}`))).toMatch(
      /environments\[0\]\.after/,
    );
    expect(refusal(repo(`    environments:\n${env('staging')}${env('production')}`))).toMatch(
      /environments\[1\]\.after is missing: .*\(one of staging\)/,
    );
  });

  it('refuses a name used twice', () => {
    expect(refusal(repo(`    environments:\n${env('staging')}${env('staging', '        after: staging\n')}`))).toMatch(
      /environments\[1\]\.name "staging" is used twice/,
    );
  });

  it('refuses repository-level deploy or health beside environments', () => {
    expect(refusal(repo(`    deploy: { command: [./deploy.sh] }\n    environments:\n${env('staging')}`))).toMatch(
      /move the repository-level deploy and health into one of them/,
    );
    expect(
      refusal(repo(`    health: { url: "http://x.example.test/" }\n    environments:\n${env('staging')}`)),
    ).toMatch(/move the repository-level deploy and health into one of them/);
  });
});
