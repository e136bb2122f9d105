import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../core/errors';
import { workflowCallTimeoutMs } from '../../../worker/workflow-call-guard';

describe('workflowCallTimeoutMs (QUIVER_WORKFLOW_CALL_TIMEOUT)', () => {
  it('is off (undefined) when unset, empty or "off"', () => {
    expect(workflowCallTimeoutMs(undefined)).toBeUndefined();
    expect(workflowCallTimeoutMs('')).toBeUndefined();
    expect(workflowCallTimeoutMs('  ')).toBeUndefined();
    expect(workflowCallTimeoutMs('off')).toBeUndefined();
    expect(workflowCallTimeoutMs('OFF')).toBeUndefined();
  });

  it('reads Temporal durations and bare milliseconds', () => {
    expect(workflowCallTimeoutMs('5s')).toBe(5000);
    expect(workflowCallTimeoutMs('2000ms')).toBe(2000);
    expect(workflowCallTimeoutMs('1m')).toBe(60_000);
    expect(workflowCallTimeoutMs('250')).toBe(250);
    expect(workflowCallTimeoutMs(' 50ms ')).toBe(50);
  });

  it.each(['fast', '0', '0s', '-5s', '1.5ms', '5 parsecs', `${2 ** 32}`])(
    'refuses %j with a ConfigError naming the variable and the quoted value',
    (value) => {
      let thrown: unknown;
      try {
        workflowCallTimeoutMs(value);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).field).toBe('QUIVER_WORKFLOW_CALL_TIMEOUT');
      expect((thrown as ConfigError).message).toContain(`'${value.trim()}'`);
    },
  );

  it('reads the environment when given no value', () => {
    const before = process.env.QUIVER_WORKFLOW_CALL_TIMEOUT;
    try {
      process.env.QUIVER_WORKFLOW_CALL_TIMEOUT = '3s';
      expect(workflowCallTimeoutMs()).toBe(3000);
      delete process.env.QUIVER_WORKFLOW_CALL_TIMEOUT;
      expect(workflowCallTimeoutMs()).toBeUndefined();
    } finally {
      if (before === undefined) delete process.env.QUIVER_WORKFLOW_CALL_TIMEOUT;
      else process.env.QUIVER_WORKFLOW_CALL_TIMEOUT = before;
    }
  });
});
