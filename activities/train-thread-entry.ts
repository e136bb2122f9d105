// The training thread: runs trainClassifier for train-off-thread.ts and talks to it by messages.
// It serves one training at a time, any number in sequence (train-thread-pool.ts keeps it warm).
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { ARCHITECTURE_KEY, modelToArrowAsync } from '../core/model/codec';
import { trainClassifier, type EpochEvent } from '../core/model/train';
import type { FromThread, ToThread } from './train-off-thread';

const port = parentPort!;

/** The training in progress: its own abort controller and epoch hand-shake, fresh for each start. */
interface Training {
  aborter: AbortController;
  onCheckpoint?: () => void;
  onEpochDone?: () => void;
}
let current: Training | undefined;

const send = (message: FromThread, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', (message: ToThread) => {
  switch (message.kind) {
    case 'start':
      void run(message);
      return;
    case 'checkpoint':
      current?.onCheckpoint?.();
      return;
    case 'epochDone':
      current?.onEpochDone?.();
      return;
    case 'abort':
      current?.aborter.abort(new Error('training cancelled'));
      return;
  }
});

async function run(start: Extract<ToThread, { kind: 'start' }>): Promise<void> {
  if (current) {
    const message = 'the training thread is already training: one training per thread at a time';
    send({ kind: 'error', error: { name: 'Error', message } });
    return;
  }
  const training: Training = { aborter: new AbortController() };
  current = training;
  try {
    const trained = await trainClassifier({
      ...start.args,
      table: tableFromIPC(start.tableIpc),
      resumeFrom: start.resumeIpc ? tableFromIPC(start.resumeIpc) : undefined,
      signal: training.aborter.signal,
      onProgress: (progress) => send({ kind: 'progress', progress }),
      onEpoch: (event) => epochRoundTrip(training, event),
    });
    const { model, ...rest } = trained;
    let modelIpc: Uint8Array;
    try {
      const modelTable = await modelToArrowAsync(model, rest.preprocessing, {
        backend: rest.backend,
        device: rest.device,
        [ARCHITECTURE_KEY]: rest.architecture,
      });
      modelIpc = tableToIPC(modelTable, 'file');
    } finally {
      model.dispose();
    }
    // Counted after the model is gone: the pool drops a thread whose count grows between trainings.
    const liveTensors = tf.memory().numTensors;
    current = undefined;
    send({ kind: 'done', trained: rest, modelIpc, liveTensors }, [modelIpc.buffer as ArrayBuffer]);
  } catch (error) {
    current = undefined;
    const { name = 'Error', message = String(error), stack } = (error ?? {}) as Error;
    send({ kind: 'error', error: { name, message, stack } });
  }
}

/** Reports an epoch and serves checkpoint requests until the caller says it is done with the epoch. */
function epochRoundTrip(training: Training, event: EpochEvent): Promise<void> {
  const { epoch, loss, accuracy, valLoss, valAccuracy } = event;
  const stats = { epoch, loss, accuracy, ...(valLoss !== undefined ? { valLoss } : {}) };
  if (valAccuracy !== undefined) Object.assign(stats, { valAccuracy });
  return new Promise<void>((resolve, reject) => {
    training.onCheckpoint = () => {
      event.checkpoint().then((table) => {
        const ipc = tableToIPC(table, 'file');
        send({ kind: 'checkpoint', ipc }, [ipc.buffer as ArrayBuffer]);
      }, reject);
    };
    training.onEpochDone = () => {
      training.onCheckpoint = training.onEpochDone = undefined;
      resolve();
    };
    send({ kind: 'epoch', stats });
  });
}
