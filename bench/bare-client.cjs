// A cold bare Temporal client, as a fresh process: connect, run bench/workflows/bare.ts's
// fiveActivities on the queue given, wait for its result. The floor `quiver run --wait` is set against
// in bench/cli.ts. Usage: node bench/bare-client.cjs ADDRESS TASK_QUEUE WORKFLOW_ID
const { Client, Connection } = require('@temporalio/client');

async function main() {
  const [address, taskQueue, workflowId] = process.argv.slice(2);
  const connection = await Connection.connect({ address });
  try {
    await new Client({ connection }).workflow.execute('fiveActivities', { taskQueue, workflowId });
  } finally {
    await connection.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
