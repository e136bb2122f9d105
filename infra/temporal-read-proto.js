// The few Temporal API messages that `quiver status` and `quiver runs ls` exchange, cut out of
// @temporalio/proto's full schema. Building protobufjs's reflection for the whole Temporal API takes
// 0.3-0.7 s at every start of a process that loads @temporalio/client; the slice these calls need is a
// small part of it. `npm run build` (infra/build-cli.js) writes it to dist/; without that file the
// slice is cut from the installed schema at first use (slow, same result).
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const readProtoFile = path.join(root, 'dist', 'temporal-read-proto.json');
const SERVICE = 'temporal.api.workflowservice.v1.WorkflowService';
/** The unary calls the read path makes, each with its request and response messages. */
const METHODS = [
  'DescribeWorkflowExecution',
  'ListWorkflowExecutions',
  'QueryWorkflow',
  'DescribeTaskQueue',
  'GetWorkflowExecutionHistory',
];

function protoVersion() {
  const pkg = require.resolve('@temporalio/proto/package.json');
  return JSON.parse(fs.readFileSync(pkg, 'utf8')).version;
}

/**
 * The messages (and enums) of METHODS' requests and responses and every type they reach, as a
 * protobufjs JSON descriptor `{ protoVersion, nested }`: each kept type at its full path, fields
 * unchanged (a relative type name still resolves to the same type, since pruning removes types only).
 */
function cutReadProto() {
  const protobuf = require('protobufjs/light');
  // The unpatched JSON module of @temporalio/proto (the full schema, built once here).
  const full = require('@temporalio/proto/protos/json-module');
  const service = full.lookupService(SERVICE);
  const kept = new Set();
  const visit = (type) => {
    if (kept.has(type)) return;
    kept.add(type);
    if (!(type instanceof protobuf.Type)) return;
    for (const field of type.fieldsArray) {
      field.resolve();
      if (field.resolvedType) visit(field.resolvedType);
    }
  };
  for (const name of METHODS) {
    const method = service.methods[name];
    method.resolve();
    visit(method.resolvedRequestType);
    visit(method.resolvedResponseType);
  }
  const out = { nested: {} };
  for (const type of [...kept].sort((a, b) => a.fullName.localeCompare(b.fullName))) {
    const parts = type.fullName.slice(1).split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) {
      node.nested ??= {};
      node = node.nested[part] ??= {};
    }
    const { nested: _nested, ...json } = type.toJSON();
    node.nested ??= {};
    node.nested[parts.at(-1)] = json; // sorted: a type comes before the types nested in it
  }
  return { protoVersion: protoVersion(), methods: METHODS, service: SERVICE, nested: out.nested };
}

/** True when `json` is a slice of the installed schema for every method the read path calls now. */
function isCurrentSlice(json) {
  return json.protoVersion === protoVersion() && json.methods?.join() === METHODS.join();
}

/** Writes the slice to dist/ (the build's job). */
function writeReadProto() {
  fs.mkdirSync(path.dirname(readProtoFile), { recursive: true });
  fs.writeFileSync(readProtoFile, JSON.stringify(cutReadProto()));
}

/** True when dist/ holds the slice of the installed @temporalio/proto for today's METHODS. */
function readProtoIsCurrent() {
  try {
    return isCurrentSlice(JSON.parse(fs.readFileSync(readProtoFile, 'utf8')));
  } catch {
    return false;
  }
}

/** The slice: from dist/ when it was cut from the installed @temporalio/proto for METHODS, else cut now. */
function readProtoJson() {
  try {
    const json = JSON.parse(fs.readFileSync(readProtoFile, 'utf8'));
    if (isCurrentSlice(json)) return json;
  } catch {
    // no slice built yet
  }
  return cutReadProto();
}

module.exports = {
  METHODS,
  SERVICE,
  cutReadProto,
  writeReadProto,
  readProtoIsCurrent,
  readProtoJson,
  readProtoFile,
};
