// Deploys the sample service: stops the running instance (if any) and starts this checkout's
// server with the released version, then waits until it answers. A real deploy script would
// roll out a container or a package instead; the contract is the same: exit 0 when done.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const stateDir = process.env.SAMPLE_STATE_DIR;
const port = process.env.SAMPLE_PORT;
const version = process.env.SHIPGATE_VERSION;
if (!stateDir || !port || !version) {
  console.error('deploy: SAMPLE_STATE_DIR, SAMPLE_PORT and SHIPGATE_VERSION must be set');
  process.exit(2);
}
mkdirSync(stateDir, { recursive: true });
const state = (name) => path.join(stateDir, name);
const count = existsSync(state('deploy-count')) ? Number(readFileSync(state('deploy-count'), 'utf8')) : 0;
writeFileSync(state('deploy-count'), String(count + 1));
// One line per run, so a check can see what each deployment was told was live before it.
appendFileSync(
  state('deploys.log'),
  `${JSON.stringify({ version, previous: process.env.SHIPGATE_PREVIOUS_VERSION ?? '' })}\n`,
);
console.log(
  `deploy: ${process.env.SHIPGATE_PREVIOUS_VERSION || 'nothing'} -> ${version} (tag ${process.env.SHIPGATE_TAG})`,
);

if (existsSync(state('fail-deploy'))) {
  console.error('deploy: the target refused the rollout (fail-deploy is set)');
  process.exit(1);
}
if (existsSync(state('stuck'))) {
  console.log('deploy: reported success, but the old instance keeps serving (stuck is set)');
  process.exit(0);
}

const pidFile = state('service.pid');
if (existsSync(pidFile)) {
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 50; i += 1) {
      process.kill(pid, 0);
      await sleep(100);
    }
    process.kill(pid, 'SIGKILL');
  } catch {
    // not running any more
  }
}

const log = openSync(state('service.log'), 'a');
const child = spawn(process.execPath, ['server.mjs'], {
  detached: true,
  stdio: ['ignore', log, log],
  env: process.env,
});
child.unref();
writeFileSync(pidFile, String(child.pid));

for (let i = 0; i < 100; i += 1) {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`);
    if (response.ok) {
      console.log(`deploy: version ${version} is serving on port ${port} (pid ${child.pid})`);
      process.exit(0);
    }
  } catch {
    // not listening yet
  }
  await sleep(100);
}
console.error('deploy: the service did not start listening within 10s');
process.exit(1);
