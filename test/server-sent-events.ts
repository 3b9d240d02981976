import type { IncomingMessage } from 'node:http';

/** One event of a text/event-stream, its fields as sent (a comment line as `comment`). */
export interface ServerSentEvent {
  id?: string;
  data?: string;
  comment?: string;
  retry?: string;
}

/** Reads a text/event-stream response, calling `onEvent` for each event as it arrives. */
export function readServerSentEvents(res: IncomingMessage, onEvent: (event: ServerSentEvent) => void): void {
  let buffer = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    buffer += chunk;
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const event: ServerSentEvent = {};
      for (const line of buffer.slice(0, end).split('\n')) {
        if (line.startsWith(':')) event.comment = line.slice(1).trim();
        else {
          const colon = line.indexOf(':');
          const field = colon === -1 ? line : line.slice(0, colon);
          const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'id' || field === 'data' || field === 'retry') event[field] = value;
        }
      }
      onEvent(event);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
    }
  });
}
