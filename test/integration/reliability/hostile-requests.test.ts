import { createHmac, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { STATUS_CODES } from 'node:http';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT_BYTES, buildApp } from '../../../api/app.js';
import { ERRORS } from '../../../domain/errors.js';
import type { deployWorkflow } from '../../../workflows/deploy.js';
import type { releaseWorkflow } from '../../../workflows/release.js';
import { AUTH, buildTestApp, connectTestClient, TEST_TOKEN, type TestApp } from '../../helpers/api.js';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

/**
 * Bad requests of every kind, against the real app and a real worker: each must be refused
 * with a 4xx in the one error format, and none may write to a repository or start a run.
 */

const suffix = randomBytes(4).toString('hex');
/** A working copy with a bare remote and a v1.0.0 tag, and a deploy command that must never run. */
const REPO = `hostile-${suffix}`;
/** Configured, but its working copy does not exist. */
const GONE = `hostile-gone-${suffix}`;
/** Not configured: its runs (started by the test itself) fail at once and then await nothing. */
const GHOST = `hostile-ghost-${suffix}`;
const UNKNOWN = `nope-${suffix}`;
/** What an injected `touch` would create. */
const CANARY = path.join(os.tmpdir(), `shipgate-canary-${suffix}`);

/** Push webhooks for REPO are signed with this secret and name this URL. */
const HOOK_SECRET_ENV = `SHIPGATE_TEST_HOOK_SECRET_${suffix.toUpperCase()}`;
const HOOK_SECRET = randomBytes(16).toString('hex');
const HOOK_URL = `https://git.example.test/hostile/${suffix}.git`;

const GHOST_RELEASE = `release:${GHOST}`;
const GHOST_DEPLOY = `deploy:${GHOST}:production`;

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS';

interface Row {
  name: string;
  method: Method;
  url: string;
  /** Replaces the default (a valid token) when given. */
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string is sent as it is, with the row's content type. */
  payload?: object | string;
  status: number;
  message: RegExp;
}

const enc = encodeURIComponent;
const JSON_TYPE = { ...AUTH, 'content-type': 'application/json' };

/** Values that try to reach a shell, git's option parser, or a query; every string field meets them all. */
const INJECTIONS: [string, string][] = [
  ['a shell command list', '; rm -rf /'],
  ['a command substitution', `$(touch ${CANARY})`],
  ['backticks', `\`touch ${CANARY}\``],
  ['a pipe', 'major | id'],
  ['an and-list', 'patch && id'],
  ['a newline', 'major\nminor'],
  ['a trailing newline', 'major\n'],
  ['a NUL byte', 'major\u0000'],
  ['a git upload-pack option', `--upload-pack=touch ${CANARY}`],
  ['a git -c option', `-c core.sshCommand=touch ${CANARY}`],
  ['a visibility query', "x' OR '1'='1"],
];

/** Repository IDs as they appear in a URL (already encoded where that is the trick). */
const EVIL_REPO_IDS: [string, string][] = [
  ['a traversal with encoded slashes', '..%2F..%2Fetc'],
  ['a double-encoded traversal', '%252e%252e%252fetc'],
  ['three dots', '...'],
  ['a trailing traversal', `${REPO}%2F..%2F..`],
  ['an encoded absolute path', '%2Fetc%2Fpasswd'],
  ['a NUL byte', `${REPO}%00`],
  ['an encoded space', 'a%20b'],
  ['a trailing newline', `${REPO}%0A`],
  ['upper case', REPO.toUpperCase()],
  ['210 characters', 'a'.repeat(210)],
  ['an option', `--upload-pack%3Dtouch%20${enc(CANARY)}`],
  ['a shell command', enc('; rm -rf /')],
  ['a command substitution', enc('$(id)')],
  ['a quote that would close a query', enc("x' OR '1'='1")],
];

const EVIL_WORKFLOW_IDS: [string, string][] = [
  ['a traversal', `release%3A..%2F..%2Fetc`],
  ['an encoded absolute path', `release%3A${enc('/etc/passwd')}`],
  ['a NUL byte', `release%3A${REPO}%00`],
  ['a newline', `release%3A${REPO}%0Aid`],
  ['upper case', `RELEASE%3A${REPO.toUpperCase()}`],
  ['201 characters', `release%3A${'a'.repeat(193)}`],
  ['a command substitution', `release%3A${enc('$(id)')}`],
  ['a shell command', `release%3A${enc('; rm -rf /')}`],
  ['an option', enc('--upload-pack=x')],
  ['a quote', enc("release:x' OR '1'='1")],
];

const BAD_VERSIONS: [string, string][] = [
  ['two parts', '1.2'],
  ['a leading zero', '01.2.3'],
  ['four parts', 'v1.2.3.4'],
  ['a tag name', 'latest'],
  ['an empty string', ''],
  ['65 characters', `1.0.0-${'a'.repeat(59)}`],
  ['a space before it', ' 1.0.0'],
];

const MALFORMED_JSON: [string, string][] = [
  ['is cut off', '{"bump":"ma'],
  ['has bare words', '{bump: major}'],
  ['uses single quotes', "{'bump':'major'}"],
  ['has a trailing comma', '{"bump":"major",}'],
  ['is not JSON at all', 'NaN'],
  ['poisons __proto__', '{"__proto__":{"deploy":false}}'],
  ['poisons constructor.prototype', '{"constructor":{"prototype":{"deploy":false}}}'],
];

const PATTERN = /must match pattern|must NOT have more than 64 characters/;

function rows(): Row[] {
  const all: Row[] = [];
  const add = (row: Row) => all.push(row);

  // Tokens: checked before anything else, so these go to the most dangerous route.
  const release = { method: 'POST' as const, url: `/repos/${REPO}/releases`, payload: { deploy: false } };
  const tokens: [string, Record<string, string>, RegExp][] = [
    ['no Authorization header', {}, /send the API token/],
    ['an empty Authorization header', { authorization: '' }, /send the API token/],
    ['"Bearer" without a token', { authorization: 'Bearer' }, /must be "Bearer <token>"/],
    ['"Bearer " and spaces', { authorization: 'Bearer    ' }, /must be "Bearer <token>"/],
    [
      'Basic credentials',
      { authorization: `Basic ${Buffer.from(`admin:${TEST_TOKEN}`).toString('base64')}` },
      /must be "Bearer <token>"/,
    ],
    ['the token as Basic', { authorization: `Basic ${TEST_TOKEN}` }, /must be "Bearer <token>"/],
    ['"bearer  x"', { authorization: 'bearer  x' }, /not valid/],
    ['a wrong token', { authorization: 'Bearer not-the-token' }, /not valid/],
    ['the token with a NUL byte', { authorization: `Bearer ${TEST_TOKEN}\u0000` }, /not valid/],
    ['the token and a NUL-separated suffix', { authorization: `Bearer ${TEST_TOKEN}\u0000admin` }, /not valid/],
    [
      'the token and an injected header line',
      { authorization: `Bearer ${TEST_TOKEN}\nx-admin: 1` },
      /must be "Bearer <token>"/,
    ],
    ['the token twice', { authorization: `Bearer ${TEST_TOKEN} ${TEST_TOKEN}` }, /must be "Bearer <token>"/],
    ['the token in upper case', { authorization: `Bearer ${TEST_TOKEN.toUpperCase()}` }, /not valid/],
    ['a 100 KB token', { authorization: `Bearer ${'x'.repeat(100_000)}` }, /not valid/],
    ['a token of 10,000 spaces and a word', { authorization: `Bearer${' '.repeat(10_000)}x` }, /not valid/],
    [
      'the token, 50,000 spaces and a word',
      { authorization: `Bearer ${TEST_TOKEN}${' '.repeat(50_000)}x` },
      /must be "Bearer <token>"/,
    ],
    ['the token in another header', { 'x-api-token': TEST_TOKEN }, /send the API token/],
  ];
  for (const [what, headers, message] of tokens) {
    add({
      name: `401 for ${what}`,
      ...release,
      headers: { 'content-type': 'application/json', ...headers },
      payload: JSON.stringify(release.payload),
      status: 401,
      message,
    });
  }
  add({
    name: '401 for the token in the query string',
    method: 'GET',
    url: `/repos?token=${TEST_TOKEN}&access_token=${TEST_TOKEN}`,
    headers: {},
    status: 401,
    message: /send the API token/,
  });
  add({
    name: '401 before the body is looked at: no token and a 70 KiB body',
    ...release,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ pad: 'x'.repeat(70 * 1024) }),
    status: 401,
    message: /send the API token/,
  });
  add({
    name: '401 before the path is looked at: a wrong token and a traversal',
    method: 'GET',
    url: '/repos/..%2F..%2Fetc/plan',
    headers: { authorization: 'Bearer nope' },
    status: 401,
    message: /not valid/,
  });

  // Repositories that are not configured, or not there.
  for (const [method, url, payload] of [
    ['GET', `/repos/${UNKNOWN}`],
    ['GET', `/repos/${UNKNOWN}/plan`],
    ['GET', `/repos/${UNKNOWN}/reports`],
    ['POST', `/repos/${UNKNOWN}/qa`],
    ['POST', `/repos/${UNKNOWN}/releases`, { deploy: false }],
    ['POST', `/repos/${UNKNOWN}/deployments`, { version: '1.0.0' }],
    ['GET', `/qa?repo=${UNKNOWN}`],
    ['GET', `/releases?repo=${UNKNOWN}`],
    ['GET', `/deployments?repo=${UNKNOWN}`],
  ] as [Method, string, object?][]) {
    add({
      name: `404 for an unknown repository: ${method} ${url.replace(UNKNOWN, '<unknown>')}`,
      method,
      url,
      payload,
      status: 404,
      message: /unknown repository "nope-/,
    });
  }
  add({
    name: '422 for the plan of a repository whose working copy is gone',
    method: 'GET',
    url: `/repos/${GONE}/plan`,
    status: 422,
    message: /does not exist/,
  });
  add({
    name: '422 for a version override on a repository whose working copy is gone',
    method: 'POST',
    url: `/repos/${GONE}/releases`,
    payload: { bump: 'major' },
    status: 422,
    message: /does not exist/,
  });
  add({
    name: '422 for a re-deploy on a repository whose working copy is gone',
    method: 'POST',
    url: `/repos/${GONE}/deployments`,
    payload: { version: '1.0.0' },
    status: 422,
    message: /does not exist/,
  });
  add({
    name: '422 for QA of a repository whose working copy is gone',
    method: 'POST',
    url: `/repos/${GONE}/qa`,
    status: 422,
    message: /does not exist/,
  });

  // Every repository ID trick, in every route that takes one.
  for (const [what, id] of EVIL_REPO_IDS) {
    for (const [method, url, payload] of [
      ['GET', `/repos/${id}`],
      ['GET', `/repos/${id}/plan`],
      ['GET', `/repos/${id}/reports`],
      ['POST', `/repos/${id}/qa`],
      ['POST', `/repos/${id}/releases`, { deploy: false }],
      ['POST', `/repos/${id}/deployments`, { version: '1.0.0' }],
      ['GET', `/repos/${id}/watch`],
      ['POST', `/repos/${id}/watch/pause`, { note: 'stop' }],
    ] as [Method, string, object?][]) {
      add({
        name: `400 for a repository ID with ${what}: ${method} ${url.replace(id, '<id>')}`,
        method,
        url,
        payload,
        status: 400,
        message: /params\/id must match pattern/,
      });
    }
  }
  add({
    name: '400 for a repository ID that is not valid percent-encoding',
    method: 'GET',
    url: '/repos/%zz/plan',
    status: 400,
    message: /not a valid url component/,
  });
  add({
    name: '400 for a 1,500-character repository ID',
    method: 'POST',
    url: `/repos/${'a'.repeat(1_500)}/qa`,
    status: 400,
    message: /max param length/,
  });
  add({
    name: '404 for a traversal the URL parser resolves before routing',
    method: 'GET',
    url: `/repos/%2e%2e/plan`,
    status: 404,
    message: /no route GET \/plan/,
  });
  add({
    name: '404 for a path that climbs out of /repos',
    method: 'POST',
    url: `/repos/${REPO}/../../releases`,
    status: 404,
    message: /no route POST \/releases/,
  });

  // Every workflow ID trick, in every route that takes one.
  for (const [what, id] of EVIL_WORKFLOW_IDS) {
    for (const [method, url] of [
      ['GET', `/qa/${id}`],
      ['GET', `/releases/${id}`],
      ['GET', `/deployments/${id}`],
      ['POST', `/releases/${id}/retry`],
      ['POST', `/deployments/${id}/abandon`],
    ] as [Method, string][]) {
      add({
        name: `400 for a workflow ID with ${what}: ${method} ${url.replace(id, '<id>')}`,
        method,
        url,
        status: 400,
        message: /params\/workflowId must match pattern|params\/workflowId must NOT have more than 200/,
      });
    }
  }
  add({
    name: '404 for a well-formed 200-character workflow ID',
    method: 'GET',
    url: `/qa/qa%3A${'a'.repeat(197)}`,
    status: 404,
    message: /no QA run with ID "qa:a{197}"/,
  });
  add({
    name: '404 for "release:.." (dots are allowed, the run is not there)',
    method: 'GET',
    url: '/releases/release%3A..',
    status: 404,
    message: /no release with ID "release:\.\."/,
  });
  add({
    name: '404 for a QA run asked for as a release',
    method: 'GET',
    url: `/releases/${enc(`qa:${REPO}:${'0'.repeat(40)}`)}`,
    status: 404,
    message: /no release with ID/,
  });
  add({
    name: '404 for a release asked for as a deployment',
    method: 'GET',
    url: `/deployments/${enc(GHOST_RELEASE)}`,
    status: 404,
    message: /no deployment with ID/,
  });
  add({
    name: '400 for a workflow ID that is not valid percent-encoding',
    method: 'POST',
    url: '/releases/release%3A%E0%A4%A/retry',
    status: 400,
    message: /not a valid url component/,
  });

  // Decisions: unknown words, tricks in the decision, and decisions nobody awaits.
  for (const [what, decision] of [
    ['an unknown word', 'promote'],
    ['upper case', 'RETRY'],
    ['a NUL byte', 'retry%00'],
    ['a traversal', '..%2F..%2Fetc'],
    ['a command substitution', enc('$(id)')],
    ['a shell command', `retry${enc('; rm -rf /')}`],
    ['an option', enc('--force')],
    ['200 characters', 'r'.repeat(200)],
  ]) {
    add({
      name: `400 for a decision with ${what} (releases)`,
      method: 'POST',
      url: `/releases/${enc(GHOST_RELEASE)}/${decision}`,
      status: 400,
      message: /params\/decision must be equal to one of the allowed values/,
    });
    add({
      name: `400 for a decision with ${what} (deployments)`,
      method: 'POST',
      url: `/deployments/${enc(GHOST_DEPLOY)}/${decision}`,
      status: 400,
      message: /params\/decision must be equal to one of the allowed values/,
    });
  }
  for (const decision of ['retry', 'rollback', 'abandon']) {
    add({
      name: `409 for ${decision} sent to a release that awaits no decision`,
      method: 'POST',
      url: `/releases/${enc(GHOST_RELEASE)}/${decision}`,
      status: 409,
      message: /is not waiting for a decision: it is failed/,
    });
    add({
      name: `409 for ${decision} sent to a deployment that awaits no decision`,
      method: 'POST',
      url: `/deployments/${enc(GHOST_DEPLOY)}/${decision}`,
      status: 409,
      message: /is not waiting for a decision: it is failed/,
    });
    add({
      name: `404 for ${decision} sent to an unknown release`,
      method: 'POST',
      url: `/releases/${enc(`release:${UNKNOWN}`)}/${decision}`,
      status: 404,
      message: /no release with ID "release:nope-/,
    });
    add({
      name: `404 for ${decision} sent to an unknown deployment`,
      method: 'POST',
      url: `/deployments/${enc(`deploy:${UNKNOWN}:production`)}/${decision}`,
      status: 404,
      message: /no deployment with ID "deploy:nope-/,
    });
  }
  add({
    name: '409 for a deployment decision sent through the releases route',
    method: 'POST',
    url: `/releases/${enc(GHOST_DEPLOY)}/retry`,
    status: 409,
    message: /is not waiting for a decision/,
  });
  add({
    name: '400 for a decision with an unknown body field',
    method: 'POST',
    url: `/releases/${enc(GHOST_RELEASE)}/retry`,
    payload: { because: 'it failed' },
    status: 400,
    message: /body has an unknown field "because"/,
  });
  add({
    name: '400 for a decision with a JSON null body',
    method: 'POST',
    url: `/deployments/${enc(GHOST_DEPLOY)}/retry`,
    headers: JSON_TYPE,
    payload: 'null',
    status: 400,
    message: /body must be object/,
  });

  // bump: in the body of a release and in the plan's query string.
  for (const [what, value] of [
    ...INJECTIONS,
    ...BAD_VERSIONS,
    ['upper case', 'MAJOR'],
    ['60,000 characters', 'x'.repeat(60_000)],
  ] as [string, string][]) {
    add({
      name: `400 for a bump with ${what} (release body)`,
      method: 'POST',
      url: `/repos/${REPO}/releases`,
      payload: { bump: value },
      status: 400,
      message: PATTERN,
    });
    if (value.length < 1_000)
      add({
        name: `400 for a bump with ${what} (plan query)`,
        method: 'GET',
        url: `/repos/${REPO}/plan?bump=${enc(value)}`,
        status: 400,
        message: PATTERN,
      });
  }
  add({
    name: '400 for a bump semver refuses though the pattern allows it (1.2.3-01)',
    method: 'POST',
    url: `/repos/${REPO}/releases`,
    payload: { bump: '1.2.3-01' },
    status: 400,
    message: /neither major, minor, patch nor a version/,
  });
  add({
    name: '400 for a bump lower than the released 1.0.0',
    method: 'POST',
    url: `/repos/${REPO}/releases`,
    payload: { bump: '0.9.0' },
    status: 400,
    message: /must be greater than the current version 1\.0\.0/,
  });
  add({
    name: '400 for a bump equal to the released v1.0.0',
    method: 'POST',
    url: `/repos/${REPO}/releases`,
    payload: { bump: 'v1.0.0', deploy: false },
    status: 400,
    message: /must be greater than the current version 1\.0\.0/,
  });
  add({
    name: '400 for a plan lower than the released 1.0.0',
    method: 'GET',
    url: `/repos/${REPO}/plan?bump=0.0.1`,
    status: 400,
    message: /must be greater than the current version 1\.0\.0/,
  });
  add({
    name: '400 for two bump parameters',
    method: 'GET',
    url: `/repos/${REPO}/plan?bump=major&bump=${enc('$(id)')}`,
    status: 400,
    message: /querystring\/bump must be string/,
  });

  // version: in the body of a re-deploy.
  for (const [what, value] of [...INJECTIONS, ...BAD_VERSIONS, ['a bump word', 'major']] as [string, string][]) {
    add({
      name: `400 for a version with ${what} (re-deploy body)`,
      method: 'POST',
      url: `/repos/${REPO}/deployments`,
      payload: { version: value },
      status: 400,
      message: PATTERN,
    });
  }
  add({
    name: '404 for a well-formed version that was never released',
    method: 'POST',
    url: `/repos/${REPO}/deployments`,
    payload: { version: '9.9.9' },
    status: 404,
    message: /has no release tag v9\.9\.9/,
  });
  add({
    name: '404 for a pre-release semver refuses (1.0.0-01), never looked up as anything else',
    method: 'POST',
    url: `/repos/${REPO}/deployments`,
    payload: { version: '1.0.0-01' },
    status: 404,
    message: /has no release tag v1\.0\.0-01/,
  });

  // repo and status query parameters, which end up in visibility queries.
  for (const [what, value] of [
    ...INJECTIONS,
    ['upper case', REPO.toUpperCase()],
    ['a quote after a real ID', `${REPO}' OR ShipgateRepo != '`],
  ] as [string, string][]) {
    for (const route of ['/qa', '/releases', '/deployments']) {
      add({
        name: `400 for a repo parameter with ${what} (${route})`,
        method: 'GET',
        url: `${route}?repo=${enc(value)}`,
        status: 400,
        message: /querystring\/repo must match pattern/,
      });
    }
    add({
      name: `400 for a status parameter with ${what}`,
      method: 'GET',
      url: `/releases?status=${enc(value)}`,
      status: 400,
      message: /querystring\/status must be equal to one of the allowed values/,
    });
  }
  add({
    name: '400 for a status in the wrong case',
    method: 'GET',
    url: '/releases?status=Running',
    status: 400,
    message: /querystring\/status must be equal to one of the allowed values/,
  });
  add({
    name: '400 for two repo parameters',
    method: 'GET',
    url: `/qa?repo=${REPO}&repo=${GHOST}`,
    status: 400,
    message: /querystring\/repo must be string/,
  });
  add({
    name: '400 for a repo parameter in array syntax',
    method: 'GET',
    url: `/releases?repo[]=${REPO}`,
    status: 400,
    message: /querystring has an unknown field "repo\[\]"/,
  });
  add({
    name: '400 for an unknown query parameter',
    method: 'GET',
    url: `/releases?repo=${REPO}&order=${enc('1; DROP TABLE')}`,
    status: 400,
    message: /querystring has an unknown field "order"/,
  });
  add({
    name: '400 for a __proto__ query parameter',
    method: 'GET',
    url: `/repos/${REPO}/plan?__proto__=x`,
    status: 400,
    message: /querystring has an unknown field "__proto__"/,
  });
  add({
    name: '400 for QA runs without a repo parameter',
    method: 'GET',
    url: '/qa',
    status: 400,
    message: /must have required property 'repo'/,
  });

  // Wrong JSON types and unknown fields.
  for (const [what, url, payload, message] of [
    ['a number as bump', `/repos/${REPO}/releases`, { bump: 3 }, /body\/bump must be string/],
    ['true as bump', `/repos/${REPO}/releases`, { bump: true }, /body\/bump must be string/],
    ['an object as bump', `/repos/${REPO}/releases`, { bump: { $ne: null } }, /body\/bump must be string/],
    ['"yes" as deploy', `/repos/${REPO}/releases`, { deploy: 'yes' }, /body\/deploy must be boolean/],
    ['an object as deploy', `/repos/${REPO}/releases`, { deploy: {} }, /body\/deploy must be boolean/],
    ['an empty list as version', `/repos/${REPO}/deployments`, { version: [] }, /body\/version must be string/],
    [
      'an object as version',
      `/repos/${REPO}/deployments`,
      { version: { toString: '1.0.0' } },
      /body\/version must be string/,
    ],
    ['no version', `/repos/${REPO}/deployments`, {}, /must have required property 'version'/],
    [
      'an unknown field beside valid ones',
      `/repos/${REPO}/releases`,
      { deploy: false, force: true },
      /body has an unknown field "force"/,
    ],
    [
      'an unknown field only',
      `/repos/${REPO}/releases`,
      { command: ['rm', '-rf', '/'] },
      /body has an unknown field "command"/,
    ],
    ['an unknown field in a QA request', `/repos/${REPO}/qa`, { sha: 'HEAD' }, /body has an unknown field "sha"/],
    [
      'an unknown field in a re-deploy',
      `/repos/${REPO}/deployments`,
      { version: '9.9.9', env: { PATH: '/tmp' } },
      /body has an unknown field "env"/,
    ],
    ['a list as the body', `/repos/${REPO}/releases`, [{ deploy: false }], /body must be object/],
    ['a string as the body', `/repos/${REPO}/releases`, 'major', /body must be object/],
    [
      'a deeply nested unknown field',
      `/repos/${REPO}/releases`,
      JSON.parse(`${'{"a":'.repeat(2_000)}1${'}'.repeat(2_000)}`) as object,
      /body has an unknown field "a"/,
    ],
  ] as [string, string, unknown, RegExp][]) {
    add({
      name: `400 for ${what}`,
      method: 'POST',
      url,
      headers: JSON_TYPE,
      payload: JSON.stringify(payload),
      status: 400,
      message,
    });
  }

  // Bodies that are too large, not JSON, or not valid JSON.
  add({
    name: '413 for a release body over 64 KiB',
    method: 'POST',
    url: `/repos/${REPO}/releases`,
    payload: { deploy: false, pad: 'x'.repeat(BODY_LIMIT_BYTES) },
    status: 413,
    message: /larger than the API accepts/,
  });
  add({
    name: '413 for a re-deploy body of 1 MiB',
    method: 'POST',
    url: `/repos/${REPO}/deployments`,
    payload: { version: 'x'.repeat(1024 * 1024) },
    status: 413,
    message: /larger than the API accepts/,
  });
  add({
    name: '413 for a QA body just over 64 KiB',
    method: 'POST',
    url: `/repos/${REPO}/qa`,
    headers: JSON_TYPE,
    payload: `{"a":"${'x'.repeat(BODY_LIMIT_BYTES)}"}`,
    status: 413,
    message: /larger than the API accepts/,
  });
  add({
    name: '413 for a decision body over 64 KiB',
    method: 'POST',
    url: `/releases/${enc(GHOST_RELEASE)}/retry`,
    payload: { pad: 'x'.repeat(BODY_LIMIT_BYTES) },
    status: 413,
    message: /larger than the API accepts/,
  });
  for (const [type, payload] of [
    ['text/plain', '{"deploy":false}'],
    ['application/x-www-form-urlencoded', 'bump=major&deploy=false'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="bump"\r\n\r\nmajor\r\n--x--\r\n'],
    ['application/xml', '<release><bump>major</bump></release>'],
    ['application/yaml', 'bump: major'],
    ['application/jsonx', '{"deploy":false}'],
  ] as [string, string][]) {
    add({
      name: `415 for a ${type.split(';')[0]} body`,
      method: 'POST',
      url: `/repos/${REPO}/releases`,
      headers: { ...AUTH, 'content-type': type },
      payload,
      status: 415,
      message: /must be JSON/,
    });
  }
  for (const [what, payload] of MALFORMED_JSON) {
    add({
      name: `400 for a body that ${what}`,
      method: 'POST',
      url: `/repos/${REPO}/releases`,
      headers: JSON_TYPE,
      payload,
      status: 400,
      message: /not valid JSON/,
    });
  }
  add({
    name: '400 for a body shorter than its Content-Length',
    method: 'POST',
    url: `/repos/${REPO}/releases`,
    headers: { ...JSON_TYPE, 'content-length': '100' },
    payload: '{"deploy":false}',
    status: 400,
    message: /did not match Content-Length/,
  });

  // The branch watch: not configured here, and its note is free text with limits.
  add({
    name: '404 for the watch of a repository without one',
    method: 'GET',
    url: `/repos/${REPO}/watch`,
    status: 404,
    message: /has no watch configured/,
  });
  add({
    name: '404 for pausing the watch of a repository without one',
    method: 'POST',
    url: `/repos/${REPO}/watch/pause`,
    payload: { note: 'maintenance' },
    status: 404,
    message: /has no watch configured/,
  });
  for (const [what, payload, message] of [
    ['a newline in the note', { note: 'a\nb' }, PATTERN],
    ['a NUL byte in the note', { note: 'a\u0000' }, PATTERN],
    ['an empty note', { note: '' }, /must NOT have fewer than 1 characters/],
    ['a 301-character note', { note: 'n'.repeat(301) }, /must NOT have more than 300 characters/],
    ['no note', {}, /must have required property 'note'/],
    ['a list as the note', { note: ['a', 'b'] }, /body\/note must be string/],
    ['an unknown field', { note: 'ok', until: 'never' }, /body has an unknown field "until"/],
  ] as [string, object, RegExp][]) {
    add({
      name: `400 for pausing a watch with ${what}`,
      method: 'POST',
      url: `/repos/${REPO}/watch/pause`,
      payload,
      status: 400,
      message,
    });
  }
  add({
    name: '415 for resuming a watch with a text/plain body',
    method: 'POST',
    url: `/repos/${REPO}/watch/resume`,
    headers: { ...AUTH, 'content-type': 'text/plain' },
    payload: 'now',
    status: 415,
    message: /must be JSON/,
  });

  // Push webhooks: no API token, a signature instead, checked before anything starts.
  const push = JSON.stringify({ ref: 'refs/heads/main', after: 'a'.repeat(40), repository: { clone_url: HOOK_URL } });
  const sign = (body: string) => `sha256=${createHmac('sha256', HOOK_SECRET).update(body, 'utf8').digest('hex')}`;
  const github = (headers: Record<string, string>) => ({
    'content-type': 'application/json',
    'x-github-event': 'push',
    ...headers,
  });
  for (const [what, headers, payload, message] of [
    ['no signature', github({}), push, /X-Hub-Signature-256 is missing/],
    [
      'a SHA-1 signature',
      github({ 'x-hub-signature-1': sign(push).replace('sha256', 'sha1'), 'x-hub-signature': 'sha1=00' }),
      push,
      /X-Hub-Signature-256 is missing/,
    ],
    [
      'a signature of zeros',
      github({ 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }),
      push,
      /does not match the body/,
    ],
    ['the signature of another body', github({ 'x-hub-signature-256': sign('{}') }), push, /does not match the body/],
    [
      'a signature with a NUL byte',
      github({ 'x-hub-signature-256': `${sign(push)}\u0000` }),
      push,
      /does not match the body/,
    ],
    [
      'a 10 KB signature',
      github({ 'x-hub-signature-256': `sha256=${'f'.repeat(10_000)}` }),
      push,
      /does not match the body/,
    ],
    [
      'the API token as signature',
      github({ 'x-hub-signature-256': `sha256=${TEST_TOKEN}`, ...AUTH }),
      push,
      /does not match the body/,
    ],
    [
      'a signed body re-encoded with a hostile ref',
      github({ 'x-hub-signature-256': sign(push) }),
      push.replace('refs/heads/main', `refs/heads/main; touch ${CANARY}`),
      /does not match the body/,
    ],
  ] as [string, Record<string, string>, string, RegExp][]) {
    add({
      name: `401 for a GitHub push with ${what}`,
      method: 'POST',
      url: '/hooks/github',
      headers,
      payload,
      status: 401,
      message,
    });
  }
  const gitlab = JSON.stringify({
    ref: 'refs/heads/main',
    checkout_sha: 'b'.repeat(40),
    project: { git_http_url: HOOK_URL },
  });
  for (const [what, headers, message] of [
    ['no token', {}, /X-Gitlab-Token is missing/],
    ['a wrong token', { 'x-gitlab-token': 'guess' }, /X-Gitlab-Token is wrong/],
    ['the secret with a NUL byte', { 'x-gitlab-token': `${HOOK_SECRET}\u0000` }, /X-Gitlab-Token is wrong/],
    ['the API token', { 'x-gitlab-token': TEST_TOKEN }, /X-Gitlab-Token is wrong/],
  ] as [string, Record<string, string>, RegExp][]) {
    add({
      name: `401 for a GitLab push with ${what}`,
      method: 'POST',
      url: '/hooks/gitlab',
      headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook', ...headers },
      payload: gitlab,
      status: 401,
      message,
    });
  }
  add({
    name: '400 for a webhook body that is not valid JSON',
    method: 'POST',
    url: '/hooks/github',
    headers: github({ 'x-hub-signature-256': sign('{"ref":') }),
    payload: '{"ref":',
    status: 400,
    message: /not valid JSON/,
  });
  add({
    name: '413 for a webhook body over 64 KiB',
    method: 'POST',
    url: '/hooks/github',
    headers: github({}),
    payload: JSON.stringify({ pad: 'x'.repeat(BODY_LIMIT_BYTES) }),
    status: 413,
    message: /larger than the API accepts/,
  });
  add({
    name: '415 for a form-encoded GitHub webhook',
    method: 'POST',
    url: '/hooks/github',
    headers: github({ 'content-type': 'application/x-www-form-urlencoded' }),
    payload: `payload=${enc(push)}`,
    status: 415,
    message: /must be JSON/,
  });
  add({
    name: '415 for a text/plain GitLab webhook',
    method: 'POST',
    url: '/hooks/gitlab',
    headers: { 'content-type': 'text/plain', 'x-gitlab-token': HOOK_SECRET },
    payload: gitlab,
    status: 415,
    message: /must be JSON/,
  });

  // Methods and routes that do not exist.
  for (const [method, url] of [
    ['PUT', `/repos/${REPO}`],
    ['DELETE', `/repos/${REPO}`],
    ['PATCH', `/releases/${enc(GHOST_RELEASE)}`],
    ['DELETE', `/releases/${enc(GHOST_RELEASE)}`],
    ['OPTIONS', `/repos/${REPO}/releases`],
    ['GET', `/repos/${REPO}/releases`],
    ['POST', `/repos/${REPO}/tags`],
    ['GET', '/.git/config'],
    ['GET', '/repos/../../../../etc/passwd'],
  ] as [Method, string][]) {
    add({ name: `404 for ${method} ${url}`, method, url, status: 404, message: /^no route / });
  }
  return all;
}

const ROWS = rows();

interface Snapshot {
  refs: string;
  status: string;
  remote: string;
  stash: string;
  data: string[];
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return entries.sort();
}

describe('hostile requests', () => {
  let worker: TestWorker;
  let app: TestApp;
  let repo: TestRepo;
  let before: Snapshot;
  const answered: { row: string; status: number }[] = [];

  const snapshot = async (): Promise<Snapshot> => ({
    refs: await repo.git('for-each-ref'),
    status: await repo.git('status', '--porcelain', '--untracked-files=all'),
    remote: await repo.git('ls-remote', 'origin'),
    stash: await repo.git('stash', 'list'),
    data: await listFiles(worker.config.dataDir),
  });

  const send = (row: Row) => {
    const options: InjectOptions = { method: row.method, url: row.url, headers: row.headers ?? AUTH };
    if (row.payload !== undefined) options.payload = row.payload;
    return app.inject(options);
  };

  beforeAll(async () => {
    repo = await createTestRepo(SAMPLE_FILES);
    await repo.git('tag', '--annotate', '--message', 'v1.0.0', 'v1.0.0');
    await repo.git('push', '--quiet', 'origin', 'v1.0.0');
    await repo.commit('feat: something to release');
    await repo.push();
    const deploy = {
      command: [process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(CANARY)}, 'deployed')`],
    };
    process.env[HOOK_SECRET_ENV] = HOOK_SECRET;
    worker = await startTestWorker(
      await testConfig([
        sampleRepoSettings(REPO, repo.dir, { deploy, webhook: { secretEnv: HOOK_SECRET_ENV, remoteUrl: HOOK_URL } }),
        // No remoteUrl: webhooks look its remote up in a working copy that is not there.
        sampleRepoSettings(GONE, path.join(os.tmpdir(), `shipgate-gone-${suffix}`), {
          deploy,
          webhook: { secretEnv: HOOK_SECRET_ENV },
        }),
      ]),
    );
    app = await buildTestApp(worker.config, worker.client);
    // Runs that ended before anyone could decide anything: the targets of the 409 rows.
    const ghostRelease = await worker.client.workflow.start<typeof releaseWorkflow>('releaseWorkflow', {
      taskQueue: worker.taskQueue,
      workflowId: GHOST_RELEASE,
      args: [{ repoId: GHOST }],
    });
    const ghostDeploy = await worker.client.workflow.start<typeof deployWorkflow>('deployWorkflow', {
      taskQueue: worker.taskQueue,
      workflowId: GHOST_DEPLOY,
      args: [{ repoId: GHOST, version: '1.0.0' }],
    });
    await expect(ghostRelease.result()).rejects.toThrow();
    await expect(ghostDeploy.result()).rejects.toThrow();
    before = await snapshot();
  });

  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    await repo?.cleanup();
    if (worker) await rm(worker.config.dataDir, { recursive: true, force: true });
    delete process.env[HOOK_SECRET_ENV];
  });

  it(`tries at least 60 hostile requests (${ROWS.length})`, () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(60);
    expect(new Set(ROWS.map((row) => row.name)).size).toBe(ROWS.length);
  });

  it.each(ROWS)('$name', async (row) => {
    const response = await send(row);
    answered.push({ row: row.name, status: response.statusCode });
    expect(response.statusCode, response.body.slice(0, 500)).toBe(row.status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = response.json<Record<string, unknown>>();
    expect(Object.keys(body).sort()).toEqual(['code', 'error', 'message', 'statusCode']);
    expect(body).toMatchObject({ statusCode: row.status, error: STATUS_CODES[row.status] });
    expect(body.code).toMatch(/^SHIPGATE_[A-Z_]+$/);
    const message = body.message as string;
    expect(message).toMatch(row.message);
    expect(message).not.toMatch(/\n\s+at |undefined|\[object Object\]/);
    expect(message).not.toContain(TEST_TOKEN);
    expect(message.length).toBeLessThan(2_000);
    if (row.status === 401) expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('survives 200 hostile requests at once, and /healthz still answers 200', async () => {
    const burst = Array.from({ length: 200 }, (_, i) => ROWS[(i * 7) % ROWS.length] as Row);
    const responses = await Promise.all(burst.map((row) => send(row)));
    responses.forEach((response, i) => {
      const row = burst[i] as Row;
      answered.push({ row: row.name, status: response.statusCode });
      expect(response.statusCode, `${row.name}: ${response.body.slice(0, 300)}`).toBe(row.status);
    });
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', temporal: { reachable: true } });
  });

  it('survives the same requests over a real socket, all at once', async () => {
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    // Only what an HTTP client can put on the wire: no NUL or newline in a header, no header
    // over Node's 16 KiB limit (its parser answers 431 and closes the connection itself), and
    // no lying Content-Length (fetch computes its own, which would make that row a valid request).
    const sendable = ROWS.filter(
      (row) =>
        !Object.entries(row.headers ?? {}).some(
          ([name, value]) => /[\0\r\n]/.test(value) || value.length > 8_000 || name === 'content-length',
        ),
    );
    const responses = await Promise.all(
      sendable.map(async (row) => {
        const headers = row.headers ?? AUTH;
        const body =
          row.payload === undefined
            ? undefined
            : typeof row.payload === 'string'
              ? row.payload
              : JSON.stringify(row.payload);
        const contentType: Record<string, string> =
          body !== undefined && typeof row.payload !== 'string' ? { 'content-type': 'application/json' } : {};
        const response = await fetch(`${address}${row.url}`, {
          method: row.method,
          headers: { ...contentType, ...headers },
          body,
        }).catch((error: unknown) => error as Error);
        return {
          row,
          status: response instanceof Error ? -1 : response.status,
          text: response instanceof Error ? response.message : await response.text(),
        };
      }),
    );
    for (const { row, status, text } of responses) {
      answered.push({ row: `${row.name} (socket)`, status });
      expect(status, `${row.name}: ${text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
      expect(status, `${row.name}: ${text.slice(0, 300)}`).toBeLessThan(500);
    }
    const health = await fetch(`${address}/healthz`);
    expect(health.status).toBe(200);
  });

  it('wrote nothing to any repository, ran nothing, and started no run but reads', async () => {
    expect(answered.filter((a) => a.status >= 500)).toEqual([]);
    expect(await snapshot()).toEqual(before);
    expect(existsSync(CANARY)).toBe(false);
    const client: Client = worker.client;
    for (const id of [REPO, GONE]) {
      const runs = [];
      // The API's reads of a repository are runs of their own (workflows/reads.ts): they write nothing.
      for await (const run of client.workflow.list({ query: `ShipgateRepo = '${id}'` }))
        if (!isRead(run.type)) runs.push(run.workflowId);
      expect(runs, `runs of ${id}`).toEqual([]);
      for (const workflowId of [`release:${id}`, `deploy:${id}:production`, `qa:${id}:${await repo.head()}`]) {
        await expect(client.workflow.getHandle(workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
      }
    }
    const onQueue = [];
    for await (const run of client.workflow.list({ query: `TaskQueue = '${worker.taskQueue}'` }))
      if (!isRead(run.type)) onQueue.push(run.workflowId);
    expect(onQueue.sort()).toEqual([GHOST_DEPLOY, GHOST_RELEASE].sort());
  });
});

function isRead(workflowType: string): boolean {
  return workflowType.endsWith('ReadWorkflow');
}

/** One request written to the socket byte for byte, so paths reach the server as sent (`..` and all). */
async function rawRequest(
  address: string,
  head: string,
  body = '',
): Promise<{ status: number; headers: string; body: string }> {
  const { hostname, port } = new URL(address);
  const socket = connect({ host: hostname, port: Number(port) });
  socket.write(`${head}\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n${body}`);
  let text = '';
  for await (const chunk of socket) text += (chunk as Buffer).toString('latin1');
  const [top = '', rest = ''] = text.split('\r\n\r\n', 2);
  return { status: Number(top.split(' ')[1]), headers: top, body: rest };
}

/** Log lines at warn (40) or above, parsed. */
function loudLines(log: string[]): { level: number; msg?: string }[] {
  return log.map((line) => JSON.parse(line) as { level: number; msg?: string }).filter((entry) => entry.level >= 40);
}

describe('hostile requests to the API documentation and half-sent requests, over a real socket', () => {
  const log: string[] = [];
  let app: TestApp;
  let address: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const connected = await connectTestClient(await testConfig([]));
    close = connected.close;
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        log.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    app = await buildApp({
      config: connected.config,
      client: connected.client,
      token: TEST_TOKEN,
      logger: { level: 'info', stream },
    });
    address = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await app?.close();
    await close?.();
  });

  it.each([
    ['a path that climbs out of the static folder', '/docs/static/../../../../package.json'],
    ['a climb written with encoded dots', '/docs/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/package.json'],
    ['a file name with an encoded NUL', '/docs/static/index.html%00.js'],
    ['a NUL alone', '/docs/static/%00'],
  ])('refuses %s with a 4xx in the one error format, and logs no error', async (_name, url) => {
    const lines = log.length;
    const response = await rawRequest(address, `GET ${url} HTTP/1.1`);
    expect(response.status, response.body).toBeGreaterThanOrEqual(400);
    expect(response.status, response.body).toBeLessThan(500);
    expect(response.headers).toMatch(/content-type: application\/json/i);
    const body = JSON.parse(response.body) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['code', 'error', 'message', 'statusCode']);
    expect(body.statusCode).toBe(response.status);
    expect(Object.keys(ERRORS)).toContain(body.code);
    expect(body.message).not.toMatch(/\n\s+at /);
    expect(response.body).not.toContain('"name": "shipgate"');
    expect(loudLines(log.slice(lines))).toEqual([]);
  });

  it('still serves the documentation itself', async () => {
    expect((await rawRequest(address, 'GET /docs/static/swagger-ui.css HTTP/1.1')).status).toBe(200);
  });

  it('logs no error when a client hangs up in the middle of its request body', async () => {
    const lines = log.length;
    const { hostname, port } = new URL(address);
    const socket = connect({ host: hostname, port: Number(port) });
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /repos/x/qa HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${TEST_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"trigger":`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.destroy();
    // The next request is answered only after the server has dealt with the broken one.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await rawRequest(address, 'GET /healthz HTTP/1.1')).status).toBe(200);
    expect(loudLines(log.slice(lines))).toEqual([]);
  });

  it('logs no error when a client hangs up before its answer is sent', async () => {
    const lines = log.length;
    const { hostname, port } = new URL(address);
    for (let i = 0; i < 5; i += 1) {
      const socket = connect({ host: hostname, port: Number(port) });
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      socket.end(`GET /healthz HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
      socket.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await rawRequest(address, 'GET /healthz HTTP/1.1')).status).toBe(200);
    expect(loudLines(log.slice(lines))).toEqual([]);
  });
});
