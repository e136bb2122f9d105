import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { hostPort } from '../../../client/option-values';

describe('--address', () => {
  it.each(['127.0.0.1:7233', 'localhost:7233', 'temporal.internal.example.com:443', '[::1]:7233', ' h:1 '])(
    'takes %s',
    (text) => {
      expect(hostPort(text)).toBe(text.trim());
    },
  );

  it.each(['127.0.0.1:99999', '127.0.0.1:0', 'notanaddress', 'localhost:7233x', 'http://localhost:7233', ''])(
    'refuses %j as bad input (exit 2), not a connection error',
    (text) => {
      expect(() => hostPort(text)).toThrow(InvalidArgumentError);
    },
  );
});
