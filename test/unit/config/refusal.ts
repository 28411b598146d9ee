import { expect } from 'vitest';
import { ConfigError, parseConfig } from '../../../config/load.js';

/** Where the configuration tests pretend their file lives. */
export const where = { file: '/etc/shipgate/shipgate.config.yaml', env: {} };

/** The message a configuration is refused with; fails the test when it is accepted. */
export function refusal(text: string): string {
  try {
    parseConfig(text, where);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}
