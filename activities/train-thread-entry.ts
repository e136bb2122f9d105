// The training thread: runs trainClassifier for train-off-thread.ts and talks to it by messages.
import { parentPort } from 'node:worker_threads';
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { ARCHITECTURE_KEY, modelToArrowAsync } from '../core/model/codec';
import { trainClassifier, type EpochEvent } from '../core/model/train';
import type { FromThread, ToThread } from './train-off-thread';

const port = parentPort!;
const aborter = new AbortController();
let onCheckpoint: (() => void) | undefined;
let onEpochDone: (() => void) | undefined;

const send = (message: FromThread, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', (message: ToThread) => {
  switch (message.kind) {
    case 'start':
      void run(message);
      return;
    case 'checkpoint':
      onCheckpoint?.();
      return;
    case 'epochDone':
      onEpochDone?.();
      return;
    case 'abort':
      aborter.abort(new Error('training cancelled'));
      return;
  }
});

async function run(start: Extract<ToThread, { kind: 'start' }>): Promise<void> {
  try {
    const trained = await trainClassifier({
      ...start.args,
      table: tableFromIPC(start.tableIpc),
      resumeFrom: start.resumeIpc ? tableFromIPC(start.resumeIpc) : undefined,
      signal: aborter.signal,
      onProgress: (progress) => send({ kind: 'progress', progress }),
      onEpoch: (event) => epochRoundTrip(event),
    });
    const { model, ...rest } = trained;
    try {
      const modelTable = await modelToArrowAsync(model, rest.preprocessing, {
        backend: rest.backend,
        device: rest.device,
        [ARCHITECTURE_KEY]: rest.architecture,
      });
      const modelIpc = tableToIPC(modelTable, 'file');
      send({ kind: 'done', trained: rest, modelIpc }, [modelIpc.buffer as ArrayBuffer]);
    } finally {
      model.dispose();
    }
  } catch (error) {
    const { name = 'Error', message = String(error), stack } = (error ?? {}) as Error;
    send({ kind: 'error', error: { name, message, stack } });
  }
}

/** Reports an epoch and serves checkpoint requests until the caller says it is done with the epoch. */
function epochRoundTrip(event: EpochEvent): Promise<void> {
  const { epoch, loss, accuracy, valLoss, valAccuracy } = event;
  const stats = { epoch, loss, accuracy, ...(valLoss !== undefined ? { valLoss } : {}) };
  if (valAccuracy !== undefined) Object.assign(stats, { valAccuracy });
  return new Promise<void>((resolve, reject) => {
    onCheckpoint = () => {
      event.checkpoint().then((table) => {
        const ipc = tableToIPC(table, 'file');
        send({ kind: 'checkpoint', ipc }, [ipc.buffer as ArrayBuffer]);
      }, reject);
    };
    onEpochDone = () => {
      onCheckpoint = onEpochDone = undefined;
      resolve();
    };
    send({ kind: 'epoch', stats });
  });
}
