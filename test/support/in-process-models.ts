import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActivities } from '../../activities';
import { loadConfig, type QuiverConfig } from '../../core/config';
import type { StepInput } from '../../core/run-types';
import { loadSpecFile } from '../../core/spec/load';
import { IRIS_SPEC } from './pipeline-env';

/** A throwaway QUIVER_HOME with its own store, for registries and servers built in-process. */
export function tempHome(name: string): { home: string; config: QuiverConfig } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `quiver-${name}-`));
  const { QUIVER_STORE: _store, ...inherited } = process.env;
  return { home, config: loadConfig({ ...inherited, QUIVER_HOME: home }) };
}

/**
 * Runs the iris pipeline's five steps in-process (the same activity code the workers run, without
 * Temporal) and returns the registered version: a real trained model in a real registry.
 */
export async function deployIrisInProcess(
  config: QuiverConfig,
  runId: string,
  overrides: string[] = [],
): Promise<number> {
  const { spec } = loadSpecFile(IRIS_SPEC, overrides);
  const steps = createActivities(config);
  const run = { runId, pipeline: spec.name };
  const input = (inputs: StepInput['inputs']): StepInput => ({ run, spec, inputs });
  const data = (await steps.ingest(input({}))).outputs.data;
  // The sanity profile rides along, as in a real run: it is the version's drift reference.
  const profile = (await steps.sanity(input({ data }))).outputs.profile;
  const model = (await steps.train(input({ data }))).outputs.model;
  const metrics = (await steps.validate(input({ data, model }))).outputs.metrics;
  const deployed = await steps.deploy(input({ model, metrics, profile }));
  return Number(deployed.summary.version);
}
