const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
const SKIPPED = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'v']);

/**
 * A pino JSON line as a person reads it in a terminal: `14:05:01 worker  activity completed
 * activity=runTests ms=812`. Lines that are not JSON pass through as they are.
 */
export function formatLogLine(line: string, source: string): string {
  if (!line.startsWith('{')) return `${source.padEnd(7)} ${line}`;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `${source.padEnd(7)} ${line}`;
  }
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 19) : '';
  const level = LEVEL_NAMES[entry.level as number] ?? 'info';
  const fields = Object.entries(entry)
    .filter(([key, value]) => !SKIPPED.has(key) && value !== undefined && value !== null)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${time} ${source.padEnd(7)} ${level === 'info' ? '' : `${level.toUpperCase()} `}${typeof entry.msg === 'string' ? entry.msg : JSON.stringify(entry.msg ?? '')}${fields ? `  ${fields}` : ''}`;
}
