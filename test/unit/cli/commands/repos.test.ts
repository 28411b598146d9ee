import { describe, expect, it } from 'vitest';
import { renderRepositories } from '../../../../cli/commands/repos.js';

describe('renderRepositories', () => {
  it('lists repositories without anything secret', () => {
    const lines = renderRepositories([
      {
        id: 'sample',
        source: 'path',
        branch: 'main',
        remote: 'origin',
        test: { command: ['npm', 'test'] },
        coverage: { format: 'lcov', threshold: 80 },
        deploy: { environment: 'production' },
        health: { url: 'http://x' },
      },
    ]);
    expect(lines).toEqual([
      'ID      SOURCE  BRANCHES  COVERAGE    DEPLOYS TO  TEST COMMAND',
      'sample  path    main      lcov ≥ 80%  production  npm test',
    ]);
  });

  it('lists the branches of a repository that releases from more than one, with their channels', () => {
    const lines = renderRepositories([
      {
        id: 'app',
        source: 'url',
        branch: 'main',
        branches: [
          { name: 'main', kind: 'release', channel: 'latest', prerelease: null, range: null, deploy: true },
          { name: 'beta', kind: 'prerelease', channel: 'beta', prerelease: 'beta', range: null, deploy: false },
          {
            name: '1.x',
            kind: 'maintenance',
            channel: '1.x',
            prerelease: null,
            range: { min: '1.0.0', max: '2.0.0' },
            deploy: false,
          },
        ],
        remote: 'origin',
        test: { command: ['make', 'test'] },
        coverage: null,
        deploy: { environment: 'production' },
        health: null,
      },
    ]);
    expect(lines).toEqual([
      'ID   SOURCE  BRANCHES         COVERAGE  DEPLOYS TO  TEST COMMAND',
      'app  url     main, beta, 1.x  -         production  make test',
      '',
      'Branches:',
      '  app',
      '    main (release, channel latest)',
      '    beta (prerelease -beta, channel beta)',
      '    1.x (maintenance >=1.0.0 <2.0.0, channel 1.x)',
    ]);
  });
});
