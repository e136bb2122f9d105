import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config';
import { ConfigError } from '../../../core/errors';

describe('port variables', () => {
  it('take a TCP port, and default when unset or empty', () => {
    expect(loadConfig({ QUIVER_TEMPORAL_PORT: '7300', QUIVER_UI_PORT: '' }, {})).toMatchObject({
      devServerPort: 7300,
      uiPort: 8233,
    });
  });

  it('refuse anything else as bad input naming the variable (exit 2), never a NaN port', () => {
    for (const [name, value] of [
      ['QUIVER_TEMPORAL_PORT', 'abc'],
      ['QUIVER_TEMPORAL_PORT', '70000'],
      ['QUIVER_UI_PORT', '99999'],
      ['QUIVER_UI_PORT', '0'],
      ['QUIVER_METRICS_PORT', '1.5'],
    ]) {
      const refusal = (() => {
        try {
          return loadConfig({ [name]: value }, {});
        } catch (error) {
          return error;
        }
      })();
      expect(refusal, `${name}=${value}`).toBeInstanceOf(ConfigError);
      expect(refusal).toMatchObject({
        field: name,
        message: `${name} must be a TCP port (1-65535), not ${value}`,
      });
    }
  });
});
