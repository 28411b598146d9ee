/**
 * Preloaded into the worker process of benchmark 4 (`node --import`): appends the process's
 * memory figures to the file named by SHIPGATE_BENCH_MEMORY_LOG every 100 ms, so that the RSS
 * peak can be split into the main V8 heap, memory outside it, and everything else. It changes
 * nothing about the worker; without the variable it does nothing.
 */
import { appendFileSync } from 'node:fs';
import v8 from 'node:v8';

export interface MemorySample {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  heapLimit: number;
}

const file = process.env.SHIPGATE_BENCH_MEMORY_LOG;
if (file) {
  const heapLimit = v8.getHeapStatistics().heap_size_limit;
  setInterval(() => {
    const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
    const sample: MemorySample = { rss, heapTotal, heapUsed, external, arrayBuffers, heapLimit };
    appendFileSync(file, `${JSON.stringify(sample)}\n`);
  }, 100).unref();
}
