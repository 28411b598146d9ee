import { describe, expect, it } from 'vitest';
import { COMMANDS, isCommandName } from '../../../../cli/commands/index.js';
import { commandUsage, overallUsage } from '../../../../cli/usage.js';

describe('the command registry', () => {
  it('holds one module per command, each with its spec, parse and run', () => {
    expect(Object.keys(COMMANDS)).toEqual([
      'release',
      'qa',
      'plan',
      'status',
      'runs',
      'notifications',
      'list',
      'retry',
      'rollback',
      'skip',
      'abandon',
      'cancel',
      'reports',
      'deployments',
      'envs',
      'metrics',
      'promote',
      'approve',
      'deny',
      'approval',
      'pin',
      'unpin',
      'repos',
      'watch',
      'whoami',
      'token',
    ]);
    for (const module of Object.values(COMMANDS)) {
      expect(module.spec.synopsis).toMatch(/^[a-z]+( |$)/);
      expect(typeof module.parse).toBe('function');
      expect(typeof module.run).toBe('function');
    }
  });

  it('makes both help texts from the specs', () => {
    const overall = overallUsage();
    for (const [name, { spec }] of Object.entries(COMMANDS)) {
      expect(overall).toMatch(
        new RegExp(`^  ${name}\\b.*  ${spec.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'),
      );
      const own = commandUsage(name as keyof typeof COMMANDS);
      expect(own.startsWith(`Usage: shipgate ${spec.synopsis}\n\n${spec.summary}\n`)).toBe(true);
      for (const option of Object.keys(spec.options)) expect(own).toContain(`--${option}`);
    }
  });

  it('knows a command only by its own name', () => {
    expect(isCommandName('release')).toBe(true);
    expect(isCommandName('deploy')).toBe(false);
    expect(isCommandName('toString')).toBe(false);
  });
});
