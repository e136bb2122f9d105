import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../core/errors';
import { workflowStackTraces } from '../../../worker/main-thread-workflows';

describe('workflowStackTraces (QUIVER_WORKFLOW_STACK_TRACES)', () => {
  it.each([undefined, '', ' ', 'off', 'OFF', 'false', '0'])('is off for %j', (value) => {
    expect(workflowStackTraces(value)).toBe(false);
  });

  it.each(['on', 'On', 'true', '1', ' on '])('is on for %j', (value) => {
    expect(workflowStackTraces(value)).toBe(true);
  });

  it.each(['yes please', 'enabled', '2'])(
    'refuses %j with a ConfigError naming the variable and the quoted value',
    (value) => {
      let thrown: unknown;
      try {
        workflowStackTraces(value);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).field).toBe('QUIVER_WORKFLOW_STACK_TRACES');
      expect((thrown as Error).message).toContain(`'${value}'`);
    },
  );
});
