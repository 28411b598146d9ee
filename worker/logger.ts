import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { pino, type Logger } from 'pino';

export function createLogger(name: string): Logger {
  return pino({
    name,
    level: process.env.SHIPGATE_LOG_LEVEL ?? 'info',
    redact: {
      paths: [
        'token',
        '*.token',
        'authorization',
        '*.authorization',
        'headers.authorization',
        'req.headers.authorization',
      ],
      censor: '[redacted]',
    },
  });
}

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** The SDK's own log lines, as structured pino lines; its chatty INFO (bundle statistics) is left out. */
export function temporalLogger(logger: Logger, minimum: LogLevel = 'WARN'): TemporalLogger {
  const order: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => {
    // The machine's own queue carries activities only, by design; the SDK warns about that.
    if (message.startsWith('No workflows registered')) return;
    if (order.indexOf(level) >= order.indexOf(minimum)) logger[LEVELS[level]]({ ...meta, sdk: true }, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
