/** Reads a text/event-stream (Server-Sent Events) from a fetch body, one event at a time. */

export interface ServerEvent {
  /** The event's `id:`, or null when it carried none. */
  id: string | null;
  /** Its `event:` type (`message` when none was given). */
  event: string;
  data: string;
}

/** Yields each event as its closing blank line arrives; comment lines (`: ping`) are skipped. */
export async function* readEventStream(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerEvent> {
  const decoder = new TextDecoder();
  let text = '';
  let id: string | null = null;
  let event = '';
  let data: string[] = [];
  for await (const chunk of body) {
    text += decoder.decode(chunk, { stream: true });
    for (let end = text.search(/\r?\n|\r/); end >= 0; end = text.search(/\r?\n|\r/)) {
      const line = text.slice(0, end);
      text = text.slice(end + (text.startsWith('\r\n', end) ? 2 : 1));
      if (line === '') {
        if (data.length > 0 || event !== '') yield { id, event: event || 'message', data: data.join('\n') };
        id = null;
        event = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
  }
}
