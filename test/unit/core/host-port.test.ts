import { describe, expect, it } from 'vitest';
import { hostPortProblem, loopbackPort } from '../../../core/host-port';

describe('loopbackPort', () => {
  it('gives the port of an address where the embedded dev server listens', () => {
    expect(loopbackPort('localhost:7233')).toBe(7233);
    expect(loopbackPort(' LOCALHOST:7300 ')).toBe(7300);
    expect(loopbackPort('127.0.0.1:7233')).toBe(7233);
  });

  it('is null for other hosts and malformed addresses', () => {
    expect(loopbackPort('temporal.example.com:7233')).toBeNull();
    expect(loopbackPort('10.0.0.5:7233')).toBeNull();
    // Loopbacks the dev server (on 127.0.0.1) would not answer on.
    expect(loopbackPort('[::1]:7233')).toBeNull();
    expect(loopbackPort('127.0.0.2:7233')).toBeNull();
    expect(loopbackPort('localhost.example.com:7233')).toBeNull();
    expect(loopbackPort('localhost')).toBeNull();
    expect(loopbackPort('localhost:70000')).toBeNull();
    expect(hostPortProblem('localhost:70000')).not.toBeNull();
  });
});
