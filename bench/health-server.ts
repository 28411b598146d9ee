import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthServer {
  url: string;
  /** The version the next answers report. */
  serve(version: string): void;
  close(): Promise<void>;
}

/** A stand-in for the deployed service: always 200, `{ status, version }` with the version it is told. */
export async function startHealthServer(): Promise<HealthServer> {
  let version = '0.0.0';
  const server = http.createServer((_request, response) => {
    const body = JSON.stringify({ status: 'ok', version });
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/healthz`,
    serve(next) {
      version = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
