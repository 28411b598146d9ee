import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Type } from 'typebox';
import { RepoId } from '../../config/schema.js';
import { RUN_EVENT_TYPES } from '../../domain/run-events.js';
import { ShipgateError } from '../../domain/errors.js';
import type { ApiDeps } from '../deps.js';
import { configuredRepo } from '../repositories.js';
import { parseEventId, type RunEventHub, type StreamEvent, type Topic } from '../run-events.js';
import { errorResponses, WorkflowId } from '../schemas.js';
import { bounded } from '../temporal-calls.js';

/** A comment line this often keeps proxies and the client's idle timers from closing a quiet stream. */
export const HEARTBEAT_MS = 15_000;
/**
 * What may wait in a subscriber's socket before it counts as too slow and is dropped: a run's
 * whole story is far smaller, so only a reader that stopped reading gets here, and the API's
 * memory stays bounded however many of them there are.
 */
export const MAX_PENDING_BYTES = 256 * 1024;

const RunId = Type.String({ pattern: '^[A-Za-z0-9-]{1,100}$', description: 'A Temporal run ID' });

export const EventsQuery = Type.Object(
  {
    repo: Type.Optional(Type.Intersect([RepoId], { description: 'Follow every open run of this repository' })),
    run: Type.Optional(
      Type.Intersect([WorkflowId], { description: 'Follow this run (a release with its QA run and deployment)' }),
    ),
    runId: Type.Optional(Type.Intersect([RunId], { description: 'With run: this execution (default: the latest)' })),
  },
  { additionalProperties: false },
);

export const eventRoutes: FastifyPluginAsyncTypebox<ApiDeps & { events: RunEventHub }> = async (app, deps) => {
  const { client, config, events } = deps;

  app.get(
    '/events',
    {
      schema: {
        summary:
          'Live progress as Server-Sent Events: stages, steps, health samples, decisions, and run start and close',
        description: [
          'Give exactly one of `repo` (every open run of the repository; new runs join within about a second)',
          'or `run` (one run and the runs it starts). Each event is `event: <type>` (one of',
          `${RUN_EVENT_TYPES.join(', ')}), \`id: <runId>:<history event ID>\` (\`.1\`, \`.2\` … when one history`,
          'event makes several) and `data:` a JSON object with workflowId, runId, kind and at. Send the last',
          'ID received as `Last-Event-ID` to resume just after it. A `: ping` comment comes every 15 s.',
          'A subscriber that stops reading is dropped.',
        ].join(' '),
        tags: ['events'],
        querystring: EventsQuery,
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ maxLength: 200 })) }),
        response: {
          200: {
            description: 'A text/event-stream that stays open',
            content: { 'text/event-stream': { schema: Type.String() } },
          },
          ...errorResponses(400, 401, 404, 503),
        },
      },
    },
    async (request, reply) => {
      const { repo, run, runId } = request.query;
      if ((repo === undefined) === (run === undefined))
        throw new ShipgateError('SHIPGATE_BAD_REQUEST', 'give exactly one of repo=<repository> or run=<workflow ID>');
      if (runId !== undefined && run === undefined)
        throw new ShipgateError('SHIPGATE_BAD_REQUEST', 'runId= goes with run=<workflow ID>');
      const lastId = request.headers['last-event-id'];
      const resume = lastId === undefined || lastId === '' ? null : parseEventId(lastId);
      if (lastId && resume === null)
        throw new ShipgateError('SHIPGATE_BAD_REQUEST', `Last-Event-ID "${lastId}" is not an ID this stream sent`);

      let topic: Topic;
      if (repo !== undefined) topic = { repo: configuredRepo(config, repo).id };
      else {
        const workflowId = run ?? '';
        const description = await bounded(client, () => client.workflow.getHandle(workflowId, runId).describe()).catch(
          (error: unknown) => {
            throw error instanceof WorkflowNotFoundError
              ? new ShipgateError(
                  'SHIPGATE_RUN_NOT_FOUND',
                  `no run with ID "${workflowId}"${runId ? ` and run ID "${runId}"` : ''}`,
                )
              : error;
          },
        );
        topic = { run: { workflowId, runId: description.runId } };
      }

      reply.hijack();
      const socket = reply.raw;
      socket.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // A buffering proxy in front would hold the events back until the run ends.
        'x-accel-buffering': 'no',
      });
      // Sent at once, so that the client sees the stream open before the first event.
      socket.write(': shipgate events\n\n');
      const tooSlow = () => socket.writableLength > MAX_PENDING_BYTES;
      let ended = false;
      let unsubscribe = () => undefined as void;
      const heartbeat = setInterval(() => {
        socket.write(': ping\n\n');
        if (tooSlow()) sink.end();
      }, HEARTBEAT_MS);
      heartbeat.unref();
      const sink = {
        send: (event: StreamEvent) => {
          socket.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
          return !tooSlow();
        },
        end: () => {
          if (ended) return;
          ended = true;
          clearInterval(heartbeat);
          unsubscribe();
          // Whatever still waits in a slow reader's buffer is let go with the socket.
          if (tooSlow()) socket.destroy();
          else socket.end();
        },
      };
      unsubscribe = events.subscribe(topic, sink, resume);
      socket.on('close', () => sink.end());
    },
  );
};
