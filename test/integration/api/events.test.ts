import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { readEventStream } from '../../../cli/event-stream.js';
import { run as shipgate } from '../../../cli/main.js';
import { AUTH, buildTestApp, pollUntil, TEST_TOKEN, type TestApp } from '../../helpers/api.js';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { createSampleService, type SampleService } from '../../helpers/sample-service.js';
import { startTestWorker, type TestWorker, testConfig } from '../../helpers/temporal.js';

const suffix = randomBytes(4).toString('hex');
const repoId = `events-${suffix}`;
const serviceId = `events-svc-${suffix}`;

interface Received {
  id: string | null;
  event: string;
  data: { workflowId: string; runId: string; kind: string; [field: string]: unknown };
}

/** Subscribes over a real socket, and reads until `until` holds for an event (that one included). */
async function stream(
  base: string,
  query: string,
  until: (event: Received) => boolean,
  headers: Record<string, string> = {},
): Promise<Received[]> {
  const response = await fetch(`${base}/events?${query}`, { headers: { ...AUTH, ...headers } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: Received[] = [];
  const controller = response.body!;
  for await (const event of readEventStream(controller)) {
    const received: Received = { ...event, data: JSON.parse(event.data) };
    events.push(received);
    if (until(received)) break;
  }
  return events;
}

/** Until every one of these runs has closed: runs read from history arrive one after the other, not interleaved. */
const closes = (...workflowIds: string[]) => {
  const open = new Set(workflowIds);
  return (event: Received) => {
    if (event.event === 'run' && event.data.state === 'closed') open.delete(event.data.workflowId);
    return open.size === 0;
  };
};
/** `release step qa finished`: what an event says, without its ID. */
const line = (event: Received) => {
  const words = [event.data.stage, event.data.step, event.data.state].filter((w) => typeof w === 'string');
  return [event.data.kind, event.event, ...words].join(' ');
};

describe('GET /events', () => {
  let worker: TestWorker;
  let app: TestApp;
  let repo: TestRepo;
  let service: SampleService;
  let base: string;
  let releaseId: string;
  let everything: Received[];

  beforeAll(async () => {
    repo = await createTestRepo(SAMPLE_FILES);
    service = await createSampleService(serviceId);
    worker = await startTestWorker(await testConfig([sampleRepoSettings(repoId, repo.dir), service.settings]));
    app = await buildTestApp(worker.config, worker.client);
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    await Promise.all([repo?.cleanup(), service?.stop()]);
  });

  it('refuses a request without the token with 401', async () => {
    const response = await fetch(`${base}/events?repo=${repoId}`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'SHIPGATE_UNAUTHORIZED' });
  });

  it.each([
    ['', 'give exactly one of'],
    [`repo=${repoId}&run=release:${repoId}`, 'give exactly one of'],
    [`repo=${repoId}&runId=abc`, 'runId= goes with run='],
    ['repo=Not_A_Repo!', 'repo'],
    ['run=release:x&colour=blue', 'colour'],
  ])('refuses the filters "%s" with 400', async (query, message) => {
    const response = await fetch(`${base}/events?${query}`, { headers: AUTH });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { message: string };
    expect(body.message).toContain(message);
  });

  it('refuses a Last-Event-ID it never sent with 400, and an unknown run or repository with 404', async () => {
    const bad = await fetch(`${base}/events?repo=${repoId}`, { headers: { ...AUTH, 'last-event-id': 'nonsense' } });
    expect(bad.status).toBe(400);
    const run = await fetch(`${base}/events?run=release:nothing-${suffix}`, { headers: AUTH });
    expect(run.status).toBe(404);
    expect(await run.json()).toMatchObject({ code: 'SHIPGATE_RUN_NOT_FOUND' });
    const unknown = await fetch(`${base}/events?repo=nothing-${suffix}`, { headers: AUTH });
    expect(unknown.status).toBe(404);
  });

  it("streams a release's stages and steps in order, with its QA run, from start to close", async () => {
    await repo.commit('feat: stream progress');
    const started = await app.inject({
      method: 'POST',
      url: `/repos/${repoId}/releases`,
      headers: AUTH,
      payload: { deploy: false },
    });
    expect(started.statusCode).toBe(202);
    releaseId = started.json().workflowId;
    everything = await stream(base, `run=${encodeURIComponent(releaseId)}`, closes(releaseId));

    const release = everything.filter((event) => event.data.workflowId === releaseId);
    expect(release[0]).toMatchObject({ event: 'run', data: { state: 'started', kind: 'release' } });
    expect(release.at(-1)).toMatchObject({
      event: 'run',
      data: { state: 'closed', status: 'COMPLETED', outcome: 'released' },
    });
    const state = (
      await app.inject({ method: 'GET', url: `/releases/${encodeURIComponent(releaseId)}`, headers: AUTH })
    ).json();
    const stages = release.filter((event) => event.event === 'stage').map((event) => event.data.stage);
    expect(stages.at(-1)).toBe('done');
    // Every step of the run, started and then finished with its summary, in the run's own order.
    const steps = release.filter((event) => event.event === 'step');
    expect(steps.filter((e) => e.data.state === 'started').map((e) => e.data.step)).toEqual(
      state.state.steps.map((s: { name: string }) => s.name),
    );
    for (const step of state.state.steps as { name: string; summary: string | null }[]) {
      const [start, finish] = steps.filter((e) => e.data.step === step.name);
      expect([start?.data.state, finish?.data.state]).toEqual(['started', 'finished']);
      expect(finish?.data.summary).toBe(step.summary);
    }
    const qa = everything.filter((event) => event.data.kind === 'qa');
    expect(qa[0]).toMatchObject({ event: 'run', data: { state: 'started' } });
    expect(qa.at(-1)).toMatchObject({ event: 'run', data: { state: 'closed', outcome: 'test-pass' } });
    // IDs name the run and its history event, and never repeat.
    expect(new Set(everything.map((event) => event.id)).size).toBe(everything.length);
    for (const event of everything) expect(event.id).toMatch(new RegExp(`^${event.data.runId}:\\d+(\\.\\d+)?$`));
  });

  it('resumes after Last-Event-ID with nothing missed and nothing repeated, from its buffer and after a restart', async () => {
    const middle = Math.floor(everything.length / 2);
    const rest = everything.slice(middle + 1).map(line);
    const from = { 'last-event-id': everything[middle]!.id! };
    const resumed = await stream(base, `run=${encodeURIComponent(releaseId)}`, closes(releaseId), from);
    expect(resumed.map((event) => event.id)).toEqual(everything.slice(middle + 1).map((event) => event.id));

    // A fresh API process holds nothing: it reads the histories again and skips up to that event.
    const fresh = await buildTestApp(worker.config, worker.client);
    try {
      const freshBase = await fresh.listen({ host: '127.0.0.1', port: 0 });
      const qaId = everything.find((event) => event.data.kind === 'qa')!.data.workflowId;
      const again = await stream(freshBase, `run=${encodeURIComponent(releaseId)}`, closes(releaseId, qaId), from);
      expect(again.map(line).sort()).toEqual([...rest].sort());
      const own = (events: Received[]) => events.filter((e) => e.data.workflowId === releaseId).map((e) => e.id);
      expect(own(again)).toEqual(own(everything.slice(middle + 1)));
    } finally {
      await fresh.close();
    }
  });

  it('gives two subscribers of one run one follower', async () => {
    const hub = app.runEvents;
    const before = hub.stats();
    const url = `${base}/events?run=${encodeURIComponent(releaseId)}`;
    const aborts = [new AbortController(), new AbortController()];
    const responses = await Promise.all(aborts.map((a) => fetch(url, { headers: AUTH, signal: a.signal })));
    try {
      const stats = await pollUntil(
        async () => hub.stats(),
        (s) => s.subscribers === before.subscribers + 2,
      );
      // The release and its QA run: one follower each, whoever listens.
      expect(stats.followers).toBe(Math.max(before.followers, 2));
      expect(responses.every((r) => r.status === 200)).toBe(true);
    } finally {
      aborts.forEach((a) => a.abort());
    }
    await pollUntil(
      async () => hub.stats(),
      (s) => s.subscribers === before.subscribers,
    );
  });

  it('drops a subscriber that cannot keep up instead of holding its events', async () => {
    const hub = app.runEvents;
    const before = hub.stats().subscribers;
    const { runId } = everything[0]!.data;
    let sent = 0;
    let ended = 0;
    // A socket whose buffer is full says so on the first write (see MAX_PENDING_BYTES in routes/events.ts).
    hub.subscribe(
      { run: { workflowId: releaseId, runId } },
      {
        send: () => {
          sent += 1;
          return false;
        },
        end: () => {
          ended += 1;
        },
      },
      null,
    );
    await pollUntil(
      async () => ended,
      (n) => n > 0,
    );
    expect({ sent, ended, subscribers: hub.stats().subscribers }).toEqual({ sent: 1, ended: 1, subscribers: before });
  });

  /** The CLI in-process, as a person would run it against `apiUrl`. */
  async function cli(argv: string[], apiUrl: string): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await shipgate(argv, {
      stdout: { write: (chunk: string) => (stdout += chunk) },
      stderr: { write: (chunk: string) => (stderr += chunk) },
      env: { SHIPGATE_API_URL: apiUrl, SHIPGATE_API_TOKEN: TEST_TOKEN },
    });
    return { code, stdout, stderr };
  }

  it('follows a release with the CLI and prints every stage and step, even those shorter than a poll', async () => {
    await repo.commit('fix: follow it live');
    // The default 1 s interval: polling would see only the stages that happen to be current at each poll.
    const result = await cli(['release', repoId, '--no-deploy', '--follow'], base);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const state = (
      await app.inject({ method: 'GET', url: `/releases/${encodeURIComponent(`release:${repoId}`)}`, headers: AUTH })
    ).json();
    const release = `release:${repoId}`;
    const lines = result.stdout.split('\n');
    for (const step of state.state.steps as { name: string; summary: string | null }[]) {
      const at = lines.findIndex((l) => l.includes(`${release}  step=${step.name} started`));
      const done = lines.findIndex((l) => l.includes(`${release}  step=${step.name} done`));
      expect(at, step.name).toBeGreaterThanOrEqual(0);
      expect(done, step.name).toBeGreaterThan(at);
    }
    // The commit step takes a few milliseconds; its stage still has its line, once.
    expect(result.stdout.match(new RegExp(`${release}  stage=commit\n`, 'g'))).toHaveLength(1);
    expect(
      result.stdout.match(new RegExp(`${release}  stage=pin\n|${release}  status=RUNNING stage=pin\n`, 'g')),
    ).toHaveLength(1);
    expect(result.stdout).toMatch(new RegExp(`✓ ${release} released 1\\.0\\.1: `));
  });

  it('falls back to polling against an older API that has no /events', async () => {
    // An older API: the same answers for a run, and 404 for a route it does not know.
    const older = Fastify();
    older.get('/releases/:id', async (request, reply) => {
      const answer = await app.inject({ method: 'GET', url: request.url, headers: AUTH });
      return reply.code(answer.statusCode).send(answer.json());
    });
    older.setNotFoundHandler((_request, reply) =>
      reply.code(404).send({ statusCode: 404, error: 'Not Found', code: 'SHIPGATE_NOT_FOUND', message: 'no route' }),
    );
    try {
      const olderUrl = await older.listen({ host: '127.0.0.1', port: 0 });
      const result = await cli(['status', `release:${repoId}`, '--follow', '--interval', '100ms'], olderUrl);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(new RegExp(`✓ release:${repoId} released 1\\.0\\.1: `));
    } finally {
      await older.close();
    }
  });

  it("streams a repository's new runs: a deployment's health samples, the decision it awaits and the one taken", async () => {
    await service.fault('unhealthy-1.0.0');
    // Subscribed before the release exists: the repository's runs are found as they start.
    const response = await fetch(`${base}/events?repo=${serviceId}`, { headers: AUTH });
    expect(response.status).toBe(200);
    const events = readEventStream(response.body!);
    const seen: Received[] = [];
    const readUntil = async (done: (event: Received) => boolean) => {
      for (;;) {
        const next = await events.next();
        if (next.done) throw new Error(`the stream ended after ${seen.map(line).join(', ')}`);
        const received: Received = { ...next.value, data: JSON.parse(next.value.data) };
        seen.push(received);
        if (done(received)) return received;
      }
    };
    await pollUntil(
      async () => app.runEvents.stats(),
      (s) => s.watchers > 0,
    );
    const started = await app.inject({ method: 'POST', url: `/repos/${serviceId}/releases`, headers: AUTH });
    expect(started.statusCode).toBe(202);
    const awaited = await readUntil((e) => e.event === 'decision' && e.data.state === 'awaited');
    expect(awaited.data).toMatchObject({ kind: 'deploy', allowed: expect.arrayContaining(['abandon']) });
    const samples = seen.filter((e) => e.event === 'health');
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.every((e) => e.data.kind === 'deploy')).toBe(true);
    expect(seen.filter((e) => e.data.kind === 'release')[0]).toMatchObject({
      event: 'run',
      data: { state: 'started' },
    });

    const abandon = await app.inject({
      method: 'POST',
      url: `/releases/${encodeURIComponent(`release:${serviceId}`)}/abandon`,
      headers: AUTH,
    });
    expect(abandon.statusCode).toBe(200);
    await readUntil(closes(`release:${serviceId}`));
    expect(seen.find((e) => e.event === 'decision' && e.data.state === 'taken')?.data).toMatchObject({
      decision: 'abandon',
    });
    await events.return(undefined);
  });
});
