import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { SpecError } from '../errors';
import { resolveTransformModules } from '../features/modules';
import { moduleFileIssues, preflightIssues, sourceFileIssues, type SpecIssue } from './preflight';
import { pipelineSpecSchema, type PipelineSpec } from './schema';
import { fieldsAt, isListField, unknownFieldMessage } from './suggest';

/** A validated spec plus where it came from, so relative data paths resolve against the spec file. */
export interface LoadedSpec {
  spec: PipelineSpec;
  /** Absolute path of the spec file, or undefined for specs built in code. */
  file?: string;
}

/** Reads, overrides and validates a YAML spec; relative `source.uri` resolves against the spec's folder. */
export function loadSpecFile(file: string, overrides: string[] = []): LoadedSpec {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SpecError(`spec file not found: '${file}'`);
    if (code === 'EISDIR') throw new SpecError(`spec file '${file}' is a directory, not a YAML file`);
    throw new SpecError(`cannot read spec '${file}': ${(error as Error).message}`);
  }
  const document = YAML.parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    const first = document.errors[0];
    throw new SpecError(`${file}: invalid YAML: ${first.message}`, [
      { path: '(yaml)', message: first.message },
    ]);
  }
  const raw = document.toJS() as unknown;
  // A data file given as the spec (`run iris.csv`) reads as one YAML string: say what a spec is.
  if (raw !== null && raw !== undefined && !isRecord(raw))
    throw new SpecError(
      `'${file}' is not a pipeline spec: a spec is a YAML mapping (name, source, target, …), this file ` +
        `reads as ${Array.isArray(raw) ? 'a list' : `a ${typeof raw}`}; to train on a data file, name it ` +
        `in a spec's source.uri (see pipelines/iris.yaml)`,
      [{ path: '(root)', message: 'not a YAML mapping' }],
    );
  const spec = validateSpec(applyOverrides(raw, overrides), file);
  spec.source.uri = resolveSourceUri(spec.source.uri, path.dirname(absolute));
  // A model module is found from the spec's folder, like the source file.
  if (typeof spec.train.model === 'object')
    spec.train.model = { module: path.resolve(path.dirname(absolute), spec.train.model.module) };
  resolveTransformModules(spec.features, path.dirname(absolute));
  // Module files exist only now that their paths are resolved: a missing one fails before the run starts.
  const missing = [...moduleFileIssues(spec, { isFile }), ...sourceFileIssues(spec, fileKind)];
  if (missing.length > 0) throw invalid(file, missing);
  return { spec, file: absolute };
}

/** What a path is on disk (`file`, `fifo`, `directory`, `character device`, …), or null when absent. */
function fileKind(file: string): string | null {
  try {
    const stat = fs.statSync(file);
    if (stat.isFile()) return 'file';
    if (stat.isFIFO()) return 'fifo';
    if (stat.isDirectory()) return 'directory';
    if (stat.isCharacterDevice()) return 'character device';
    if (stat.isBlockDevice()) return 'block device';
    return stat.isSocket() ? 'socket' : 'special file';
  } catch {
    return null;
  }
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The SpecError listing every issue by field path. */
function invalid(origin: string, issues: SpecIssue[]): SpecError {
  const lines = issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n');
  return new SpecError(`${origin} is invalid:\n${lines}`, issues);
}

/** Validates an already-parsed spec object; the error lists every failing field path and reason. */
export function validateSpec(raw: unknown, origin = 'spec'): PipelineSpec {
  const result = pipelineSpecSchema.safeParse(raw);
  if (result.success) {
    // What would only fail at its step (a derive that does not parse, a transform on the target) fails now.
    const issues = preflightIssues(result.data);
    if (issues.length > 0) throw invalid(origin, issues);
    return result.data;
  }
  const issues = result.error.issues.flatMap((issue) =>
    // One issue per unknown field, each with its own path and nearest valid field.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          path: formatPath([...issue.path, key]),
          message: unknownFieldMessage(key, fieldsAt(pipelineSpecSchema, issue.path)),
        }))
      : [{ path: formatPath(issue.path), message: describeIssue(issue) }],
  );
  throw invalid(origin, issues);
}

/** Keys that reach an object's prototype instead of a field of it. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Applies `a.b.c=value` overrides. Values are parsed as YAML scalars/flow collections, so
 * `train.epochs=100` sets a number and `train.hiddenUnits=[32,32]` a list; a value YAML cannot read
 * is the literal string, as helm and kubectl take it (`source.delimiter=,`), except an unclosed
 * `[`/`{` list or map.
 *
 * @throws SpecError for an argument with no `=`, an empty key, a prototype key (`__proto__`,
 *   `constructor`, `prototype`), or a list or map that does not parse
 */
export function applyOverrides(raw: unknown, overrides: string[]): unknown {
  if (overrides.length === 0) return raw;
  const root = (isRecord(raw) ? structuredClone(raw) : {}) as Record<string, unknown>;
  for (const override of overrides) {
    const eq = override.indexOf('=');
    if (eq <= 0)
      throw new SpecError(`--set ${override}: expected key.path=value`, [
        { path: override, message: 'expected key.path=value' },
      ]);
    const keyPath = override.slice(0, eq).trim().split('.');
    if (keyPath.some((k) => k === ''))
      throw new SpecError(`--set ${override}: empty key in path`, [
        { path: override, message: 'empty key in path' },
      ]);
    // Not spec fields but the prototype chain: writing through them would change every object in the process.
    const unsafe = keyPath.find((k) => PROTOTYPE_KEYS.has(k));
    if (unsafe)
      throw new SpecError(`--set ${override}: unknown field '${unsafe}'`, [
        { path: keyPath.join('.'), message: `unknown field '${unsafe}'` },
      ]);
    const value = overrideValue(override, override.slice(eq + 1));
    let node = root;
    for (const [depth, key] of keyPath.slice(0, -1).entries()) {
      // A list is set whole: `train.hiddenUnits.0=8` would turn it into a map. That holds for a list
      // the spec leaves out too (its default, or absent), known from the schema.
      const absent = !isRecord(node[key]) && !Array.isArray(node[key]);
      if (
        Array.isArray(node[key]) ||
        (absent && isListField(pipelineSpecSchema, keyPath.slice(0, depth + 1)))
      ) {
        const list = keyPath.slice(0, depth + 1).join('.');
        throw new SpecError(`--set ${override}: ${list} is a list; set it whole, e.g. --set ${list}=[…]`, [
          { path: list, message: 'a list is set whole, not by index' },
        ]);
      }
      if (!isRecord(node[key])) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[keyPath[keyPath.length - 1]] = value;
  }
  return root;
}

/**
 * One `--set` value: YAML when it reads as a number, a boolean, `null`, a flow list or map (`[…]`,
 * `{…}`) or a quoted string; anything else is the literal text (`|`, `>`, `!`, `#`, ` `, `~`, `:`,
 * `?`, `-`, `*x`, `a # b`, an empty value), as helm and kubectl take it: block indicators, tags,
 * aliases and comments would otherwise turn a delimiter into null or an empty string.
 * A value opening a flow list or map (`[`, `{`) was meant as one, so a parse failure there is an error.
 *
 * @throws SpecError naming the `--set` argument and YAML's complaint
 */
function overrideValue(override: string, text: string): unknown {
  const document = YAML.parseDocument(text, { prettyErrors: false });
  let problem = document.errors[0]?.message;
  let value: unknown;
  if (!problem)
    try {
      value = document.toJS();
    } catch (error) {
      problem = (error as Error).message; // e.g. `*x`: an alias with no anchor
    }
  if (problem !== undefined) {
    if (/^\s*[[{]/.test(text))
      throw new SpecError(`--set '${override}': the value does not parse as a YAML list or map: ${problem}`, [
        { path: override.slice(0, override.indexOf('=')).trim(), message: `does not parse: ${problem}` },
      ]);
    return text;
  }
  return readsAsTyped(document, text) ? value : text;
}

/** Whether a parsed `--set` value is one YAML reads as typed data rather than an accident of syntax. */
function readsAsTyped(document: YAML.Document, text: string): boolean {
  const node = document.contents;
  if (node === null || document.comment || node.comment || node.commentBefore || node.tag) return false;
  if (YAML.isMap(node) || YAML.isSeq(node)) return node.flow === true;
  if (!YAML.isScalar(node)) return false; // an alias
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') return true;
  if (node.type !== 'PLAIN') return false; // `|`, `>`: block scalars
  // Only the word null is null: `~` is a delimiter people use.
  if (node.value === null) return /^\s*(null|Null|NULL)\s*$/.test(text);
  return typeof node.value === 'number' || typeof node.value === 'boolean';
}

function resolveSourceUri(uri: string, baseDir: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) return uri;
  return path.resolve(baseDir, uri);
}

function formatPath(parts: PropertyKey[]): string {
  if (parts.length === 0) return '(root)';
  return parts
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown field(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) return 'is required';
  return issue.message.replace(/^Invalid input: /, '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
