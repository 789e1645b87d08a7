// Wraps a body stream so the gateway learns how it ended: fully served, failed
// (upstream reset, masking error) or cancelled by the caller, with the byte
// count. Pull-based with no internal queue, so memory stays bounded by one
// chunk whatever the trace size and however slowly the caller reads.

export type StreamOutcome =
  | { kind: 'completed'; bytes: number }
  | { kind: 'failed'; bytes: number; error: unknown }
  | { kind: 'cancelled'; bytes: number; reason: unknown };

export function observeStream(
  source: ReadableStream<Uint8Array>,
  onEnd: (outcome: StreamOutcome) => void,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let bytes = 0;
  let ended = false;
  const end = (outcome: StreamOutcome) => {
    if (ended) return;
    ended = true;
    onEnd(outcome);
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (error) {
          end({ kind: 'failed', bytes, error });
          controller.error(error);
          return;
        }
        if (result.done) {
          end({ kind: 'completed', bytes });
          controller.close();
          return;
        }
        bytes += result.value.byteLength;
        controller.enqueue(result.value);
      },
      async cancel(reason) {
        end({ kind: 'cancelled', bytes, reason });
        await reader.cancel(reason).catch(() => undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
