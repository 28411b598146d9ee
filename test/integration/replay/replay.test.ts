import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowsPath } from '../../../worker/workflows-path.js';

/**
 * Saved histories of real runs, replayed against today's workflow code: a change that would
 * break runs already in flight fails here (a non-determinism error), not in production.
 */
/** As `temporal workflow show --output json` writes it; only the first event's workflow ID is read here. */
interface RecordedHistory {
  events?: { workflowExecutionStartedEventAttributes?: { workflowId?: string } }[];
}

const dir = fileURLToPath(new URL('../../fixtures/histories/', import.meta.url));

describe('replay of recorded histories', () => {
  it('replays every recorded history without non-determinism', async () => {
    const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
    expect(files.length).toBeGreaterThanOrEqual(5);
    const bundle = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: new DefaultLogger('WARN') });
    const failures: string[] = [];
    for (const file of files) {
      const history = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as RecordedHistory;
      // Its own workflow ID where the history has it: a run may name other runs after it (its notifier).
      const workflowId =
        history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId ?? path.basename(file, '.json');
      await Worker.runReplayHistory({ workflowBundle: bundle }, history, workflowId).catch((error: Error) => {
        failures.push(`${file}: ${error.message}`);
      });
    }
    expect(failures).toEqual([]);
  });
});
