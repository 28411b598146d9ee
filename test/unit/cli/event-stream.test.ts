import { describe, expect, it } from 'vitest';
import { readEventStream } from '../../../cli/event-stream.js';

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function all(body: ReadableStream<Uint8Array>) {
  const events = [];
  for await (const event of readEventStream(body)) events.push(event);
  return events;
}

describe('readEventStream', () => {
  it('reads events split anywhere across chunks, and skips comments', async () => {
    const events = await all(
      streamOf(
        ': shipgate events\n\nid: r:3\nev',
        'ent: stage\ndata: {"stage":"qa"}\n',
        '\n: ping\n\nid: r:4.1\r\nevent: step\r\ndata: {}\r\n\r\n',
      ),
    );
    expect(events).toEqual([
      { id: 'r:3', event: 'stage', data: '{"stage":"qa"}' },
      { id: 'r:4.1', event: 'step', data: '{}' },
    ]);
  });

  it('joins data lines, names an untyped event "message", and drops an event the stream ended in', async () => {
    expect(await all(streamOf('data: a\ndata: b\n\ndata: cut off'))).toEqual([
      { id: null, event: 'message', data: 'a\nb' },
    ]);
  });
});
