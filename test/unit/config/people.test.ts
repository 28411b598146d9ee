import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import { refusal, where } from './refusal.js';

const HASH_A = `sha256:${'a'.repeat(64)}`;
const HASH_B = `sha256:${'b'.repeat(64)}`;

const withRepo = (environments: string) =>
  `repositories:\n  - id: webshop\n    path: ./webshop\n    test: { command: [npm, test] }\n    environments:\n` +
  `      - name: staging\n        deploy: { command: [./deploy.sh, staging] }\n` +
  `      - name: production\n        after: staging\n        deploy: { command: [./deploy.sh, production] }\n${environments}`;

describe('tokens in the configuration', () => {
  it('reads each holder with its role, hash and authors; none means the single token', () => {
    const config = parseConfig(
      `api:\n  tokens:\n    - { name: alice, role: releaser, hash: "${HASH_A}", authors: [alice@example.com] }\n    - { name: deploy-bot, role: viewer, hash: "${HASH_B}" }\nrepositories: []\n`,
      where,
    );
    expect(config.api.tokens).toEqual([
      { name: 'alice', role: 'releaser', sha256: 'a'.repeat(64), authors: ['alice@example.com'] },
      { name: 'deploy-bot', role: 'viewer', sha256: 'b'.repeat(64), authors: [] },
    ]);
    expect(parseConfig('repositories: []\n', where).api.tokens).toEqual([]);
  });

  it('refuses a name or a hash twice, an unknown role and a token written in clear', () => {
    expect(
      refusal(
        `api:\n  tokens:\n    - { name: alice, role: admin, hash: "${HASH_A}" }\n    - { name: alice, role: viewer, hash: "${HASH_B}" }\nrepositories: []\n`,
      ),
    ).toContain('api.tokens[1].name "alice" is used twice');
    expect(
      refusal(
        `api:\n  tokens:\n    - { name: alice, role: admin, hash: "${HASH_A}" }\n    - { name: bob, role: viewer, hash: "${HASH_A}" }\nrepositories: []\n`,
      ),
    ).toContain('api.tokens[1].hash is the hash of a token listed before it');
    expect(
      refusal(`api:\n  tokens:\n    - { name: alice, role: owner, hash: "${HASH_A}" }\nrepositories: []\n`),
    ).toMatch(/api\.tokens\[0\]\.role/);
    expect(
      refusal(`api:\n  tokens:\n    - { name: alice, role: admin, hash: "s3cret-token" }\nrepositories: []\n`),
    ).toMatch(/api\.tokens\[0\]\.hash/);
  });
});

describe('approval and freeze windows of an environment', () => {
  it('reads approval with its defaults, and freeze windows of both kinds', () => {
    const [repo] = parseConfig(
      withRepo(
        `        approval: { required: 2 }\n        freeze:\n          - { cron: "0 18 * * 5", duration: 64h, timezone: Europe/Berlin, reason: weekend }\n          - { from: "2026-12-23T00:00:00+01:00", to: "2027-01-04T00:00:00+01:00" }\n`,
      ),
      where,
    ).repositories;
    const production = repo!.environments[1]!;
    expect(production.approval).toEqual({
      required: 2,
      from: ['approver', 'admin'],
      notAuthor: true,
      expiresMs: 24 * 3_600_000,
    });
    expect(production.freeze).toEqual([
      {
        kind: 'recurring',
        cron: '0 18 * * 5',
        durationMs: 64 * 3_600_000,
        timezone: 'Europe/Berlin',
        reason: 'weekend',
      },
      { kind: 'once', from: '2026-12-22T23:00:00.000Z', to: '2027-01-03T23:00:00.000Z', reason: null },
    ]);
    expect(repo!.environments[0]).toMatchObject({ approval: null, freeze: [] });
  });

  it('gives a recurring window without a time zone UTC', () => {
    const [repo] = parseConfig(
      withRepo(`        freeze:\n          - { cron: "0 0 * * *", duration: 1h }\n`),
      where,
    ).repositories;
    expect(repo!.environments[1]!.freeze[0]).toMatchObject({ timezone: 'UTC' });
  });

  it('refuses a cron that is not five fields, an unknown time zone and a window that ends before it begins', () => {
    expect(refusal(withRepo(`        freeze:\n          - { cron: "0 0 18 * * 5", duration: 1h }\n`))).toContain(
      'environments[1].freeze[0].cron "0 0 18 * * 5": write five fields',
    );
    expect(
      refusal(withRepo(`        freeze:\n          - { cron: "0 18 * * 5", duration: 1h, timezone: Mars/Olympus }\n`)),
    ).toContain('the time zone "Mars/Olympus" is not an IANA time zone');
    expect(
      refusal(withRepo(`        freeze:\n          - { from: "2027-01-04T00:00:00Z", to: "2026-12-23T00:00:00Z" }\n`)),
    ).toContain('environments[1].freeze[0].to must come after from');
    expect(refusal(withRepo(`        approval: { required: 0 }\n`))).toMatch(/approval\.required/);
  });
});
