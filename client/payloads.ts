import type { Payload } from '@temporalio/common';
import type { Client } from '@temporalio/client';

/** Decodes one payload with the client's data converter (codecs first, then the payload converter). */
export function payloadDecoder(client: Client): (payload: Payload) => Promise<unknown> {
  const { payloadCodecs, payloadConverter } = client.workflow.options.loadedDataConverter;
  return async (payload) => {
    let decoded = payload;
    for (const codec of [...payloadCodecs].reverse()) [decoded] = await codec.decode([decoded]);
    return payloadConverter.fromPayload(decoded);
  };
}
