import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import { refusal, where } from './refusal.js';

const repo = (extra: string) =>
  `repositories:\n  - id: sample-app\n    path: ./sample-app\n    test: { command: [npm, test] }\n${extra}`;

describe('publish steps in the configuration', () => {
  it('reads the steps in order, with their defaults', () => {
    const [r] = parseConfig(
      repo(
        [
          '    publish:',
          '      - name: npm',
          '        command: [npm, publish]',
          '        check: [npm, view, "sample-app@${SHIPGATE_VERSION}", version]',
          '        artifact: "sample-app@${SHIPGATE_VERSION}"',
          '        retries: 4',
          '      - name: docs',
          '        command: [./publish-docs.sh, "${SHIPGATE_TAG}"]',
          '        timeout: 90s',
          '',
        ].join('\n'),
      ),
      where,
    ).repositories;
    expect(r!.publish).toEqual([
      {
        name: 'npm',
        command: ['npm', 'publish'],
        check: ['npm', 'view', 'sample-app@${SHIPGATE_VERSION}', 'version'],
        artifact: 'sample-app@${SHIPGATE_VERSION}',
        env: {},
        timeoutMs: 600_000,
        retries: 4,
        decisionTimeoutMs: 86_400_000,
      },
      {
        name: 'docs',
        command: ['./publish-docs.sh', '${SHIPGATE_TAG}'],
        check: null,
        artifact: null,
        env: {},
        timeoutMs: 90_000,
        retries: 2,
        decisionTimeoutMs: 86_400_000,
      },
    ]);
  });

  it('has no publish steps unless configured', () => {
    expect(parseConfig(repo(''), where).repositories[0]!.publish).toEqual([]);
  });

  it('refuses a step name used twice', () => {
    expect(
      refusal(repo('    publish:\n      - { name: npm, command: [a] }\n      - { name: npm, command: [b] }\n')),
    ).toMatch(/repositories\[0\]\.publish\[1\]\.name "npm" is used twice/);
  });

  it('refuses a placeholder shipgate does not substitute, in the command, the check or the artifact', () => {
    expect(refusal(repo('    publish:\n      - { name: npm, command: [npm, "${SHIPGATE_VERSON}"] }\n'))).toMatch(
      /publish\[0\]\.command names \$\{SHIPGATE_VERSON\}, which shipgate does not substitute/,
    );
    expect(refusal(repo('    publish:\n      - { name: npm, command: [a], check: [b, "${HOME}"] }\n'))).toMatch(
      /publish\[0\]\.check names \$\{HOME\}/,
    );
    expect(refusal(repo('    publish:\n      - { name: npm, command: [a], artifact: "x@${VERSION}" }\n'))).toMatch(
      /publish\[0\]\.artifact names \$\{VERSION\}/,
    );
  });

  it('refuses a step name that is not a name', () => {
    expect(refusal(repo('    publish:\n      - { name: "Npm Registry", command: [a] }\n'))).toMatch(
      /publish\/0\/name|publish\[0\]\.name/,
    );
  });
});
