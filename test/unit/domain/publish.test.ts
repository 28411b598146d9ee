import { describe, expect, it } from 'vitest';
import {
  artifactOf,
  checkSaysPublished,
  parsePublishSignal,
  publishDecisionProblem,
  substituteArgv,
  substitutePlaceholders,
  unknownPlaceholders,
  type PublishValues,
} from '../../../domain/publish.js';

const values: PublishValues = {
  SHIPGATE_REPO: 'sample-app',
  SHIPGATE_VERSION: '1.2.0',
  SHIPGATE_TAG: 'v1.2.0',
  SHIPGATE_SHA: 'abc1234',
  SHIPGATE_PREVIOUS_VERSION: '',
};

describe('publish placeholders', () => {
  it('substitutes every known placeholder in each argv entry, which stays one argument', () => {
    expect(substituteArgv(['npm', 'view', 'sample-app@${SHIPGATE_VERSION}', 'version'], values)).toEqual([
      'npm',
      'view',
      'sample-app@1.2.0',
      'version',
    ]);
    expect(substitutePlaceholders('${SHIPGATE_REPO} ${SHIPGATE_TAG} ${SHIPGATE_SHA}', values)).toBe(
      'sample-app v1.2.0 abc1234',
    );
    expect(substitutePlaceholders('prev=${SHIPGATE_PREVIOUS_VERSION};', values)).toBe('prev=;');
  });

  it('substitutes in one pass: a value that reads like a placeholder is not expanded again', () => {
    expect(substitutePlaceholders('${SHIPGATE_VERSION}', { ...values, SHIPGATE_VERSION: '${SHIPGATE_SHA}' })).toBe(
      '${SHIPGATE_SHA}',
    );
  });

  it('names the unknown placeholders, each once', () => {
    expect(unknownPlaceholders('${SHIPGATE_VERSON} ${HOME} ${SHIPGATE_VERSON} ${SHIPGATE_TAG}')).toEqual([
      'SHIPGATE_VERSON',
      'HOME',
    ]);
    expect(unknownPlaceholders('$HOME and ${SHIPGATE_VERSION}')).toEqual([]);
  });

  it('names an artifact by its own text, or by the step and version', () => {
    expect(artifactOf({ name: 'npm', artifact: 'sample-app@${SHIPGATE_VERSION}' }, values)).toBe('sample-app@1.2.0');
    expect(artifactOf({ name: 'npm' }, values)).toBe('npm 1.2.0');
  });
});

describe('checkSaysPublished', () => {
  it('is published only when the check exits 0 and prints something', () => {
    expect(checkSaysPublished({ exitCode: 0, timedOut: false, stdout: '1.2.0\n' })).toBe(true);
    // `npm view` of a version the registry does not hold: exit 0, nothing printed.
    expect(checkSaysPublished({ exitCode: 0, timedOut: false, stdout: '  \n' })).toBe(false);
    // An unknown package: E404 and a non-zero exit.
    expect(checkSaysPublished({ exitCode: 1, timedOut: false, stdout: '' })).toBe(false);
    expect(checkSaysPublished({ exitCode: 1, timedOut: false, stdout: '1.2.0' })).toBe(false);
    expect(checkSaysPublished({ exitCode: 0, timedOut: true, stdout: '1.2.0' })).toBe(false);
    expect(checkSaysPublished({ exitCode: null, timedOut: false, stdout: '1.2.0' })).toBe(false);
  });
});

describe('publishDecisionProblem', () => {
  const awaiting = { step: 'npm' };

  it('accepts retry, abandon, and skip with a reason, for the step that waits', () => {
    expect(publishDecisionProblem({ decision: 'retry' }, awaiting)).toBeNull();
    expect(publishDecisionProblem({ decision: 'abandon', step: 'npm' }, awaiting)).toBeNull();
    expect(publishDecisionProblem({ decision: 'skip', reason: 'published by hand' }, awaiting)).toBeNull();
  });

  it('refuses when nothing waits, an unknown decision, a skip without a reason, another step', () => {
    expect(publishDecisionProblem({ decision: 'retry' }, null)).toMatch(/no publish decision is awaited/);
    expect(publishDecisionProblem({ decision: 'rollback' }, awaiting)).toMatch(/unknown decision "rollback"/);
    expect(publishDecisionProblem('retry', awaiting)).toMatch(/is an object/);
    expect(publishDecisionProblem({ decision: 'skip' }, awaiting)).toMatch(/needs a reason/);
    expect(publishDecisionProblem({ decision: 'skip', reason: '  ' }, awaiting)).toMatch(/needs a reason/);
    expect(publishDecisionProblem({ decision: 'retry', step: 'docker' }, awaiting)).toMatch(/is "npm", not "docker"/);
  });
});

describe('parsePublishSignal', () => {
  it('reads retry, abandon and "skip: <reason>" as a person types them', () => {
    expect(parsePublishSignal('Retry')).toEqual({ decision: 'retry' });
    expect(parsePublishSignal(' ABANDON ')).toEqual({ decision: 'abandon' });
    expect(parsePublishSignal('skip: published by hand')).toEqual({ decision: 'skip', reason: 'published by hand' });
    expect(parsePublishSignal('Skip - mirror down')).toEqual({ decision: 'skip', reason: 'mirror down' });
  });

  it('reads nothing else', () => {
    expect(parsePublishSignal('skip')).toBeNull();
    expect(parsePublishSignal('rollback')).toBeNull();
    expect(parsePublishSignal({ decision: 'retry' })).toBeNull();
  });
});
