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
      'ID      SOURCE  BRANCH  COVERAGE    DEPLOYS TO  TEST COMMAND',
      'sample  path    main    lcov ≥ 80%  production  npm test',
    ]);
  });
});
