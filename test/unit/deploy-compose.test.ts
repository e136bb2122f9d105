import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SEAWEEDFS_WHEEL } from '../../infra/seaweedfs';

/**
 * The cluster compose file's structure (CI's `docker-compose -f … config -q` step validates its
 * syntax with Debian's docker-compose 1.29, which needs no Docker engine).
 */
const FILE = path.resolve(__dirname, '..', '..', 'infra', 'deploy', 'docker-compose.yml');

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown> | string[];
  volumes?: string[];
}

const compose = parse(fs.readFileSync(FILE, 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};

describe('infra/deploy/docker-compose.yml', () => {
  it('runs Temporal on PostgreSQL', () => {
    const temporal = compose.services.temporal;
    expect(temporal.environment?.DB).toBe('postgres12');
    expect(temporal.environment?.POSTGRES_SEEDS).toBe('postgresql');
    expect(Object.keys(temporal.depends_on as object)).toContain('postgresql');
  });

  it('gives every Quiver service the S3 store and no shared disk', () => {
    const quiver = Object.entries(compose.services).filter(([name]) => name.startsWith('quiver-'));
    expect(quiver.map(([name]) => name).sort()).toEqual(['quiver-cpu', 'quiver-gpu', 'quiver-serve']);
    for (const [, service] of quiver) {
      expect(service.environment?.QUIVER_STORE).toBe('${QUIVER_STORE:-s3://quiver/main}');
      expect(service.environment?.AWS_ENDPOINT_URL).toBe('${AWS_ENDPOINT_URL-http://s3:8333}');
      expect(service.environment?.AWS_SECRET_ACCESS_KEY).toMatch(/^\$\{QUIVER_S3_SECRET_KEY:\?/);
      expect(service.volumes).toEqual(['quiver-cache:/var/lib/quiver']);
    }
  });

  it('runs the same SeaweedFS as the tests, with its identity from the environment', () => {
    const s3 = compose.services.s3;
    expect(s3.image).toBe(`chrislusf/seaweedfs:\${SEAWEEDFS_VERSION:-${SEAWEEDFS_WHEEL.version}}`);
    const script = s3.command?.[0] ?? '';
    for (const flag of ['-s3 ', '-s3.port.iceberg=0', '-s3.port.lance=0', '-s3.config=/tmp/s3.json'])
      expect(script).toContain(flag);
    expect(script).toContain('"$$QUIVER_S3_SECRET_KEY"');
    expect(s3.environment?.QUIVER_S3_SECRET_KEY).toMatch(/^\$\{QUIVER_S3_SECRET_KEY:\?/);
    expect(compose.services['s3-setup'].command?.[0]).toContain('create-bucket');
  });
});
