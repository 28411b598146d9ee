// The sample service: answers /healthz with its version. Faults are switched on by files in
// SAMPLE_STATE_DIR so that tests and the demo can make a deployment fail on purpose.
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { greet } from './src/greeting.js';

const version = process.env.SHIPGATE_VERSION ?? '0.0.0';
const port = Number(process.env.SAMPLE_PORT ?? 8080);
const stateDir = process.env.SAMPLE_STATE_DIR ?? '.';
const unhealthy = existsSync(path.join(stateDir, `unhealthy-${version}`));

const server = createServer((request, response) => {
  if (request.url === '/healthz') {
    response.writeHead(unhealthy ? 503 : 200, { 'content-type': 'application/json', 'x-version': version });
    response.end(JSON.stringify({ status: unhealthy ? 'failing' : 'ok', version }));
    return;
  }
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end(`${greet('world')} (version ${version})\n`);
});
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
