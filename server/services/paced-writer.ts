// Writing a stream of chunks to a file as fast as the disk takes them: the next chunk is built while earlier ones are
// still being written. Waiting for 'drain' instead would idle the producer until the whole buffer is on disk, and
// an export spent a quarter of its time that way.
import { once } from "node:events";
import type { Writable } from "node:stream";

/** Bytes queued to the file at most; the producer waits below half of it. */
const MAX_QUEUED = 8 << 20;

export interface PacedWriter {
  /** Queues the bytes; resolves at once unless too much is already waiting, then when half of it is written. */
  write(bytes: Uint8Array): Promise<void>;
  /** Ends the stream and resolves when every byte is written (rejects on a write error). */
  end(): Promise<void>;
  /** Stops writing and resolves once the file is closed: only then can a caller remove it for good. */
  abandon(): Promise<void>;
}

export function pacedWriter(stream: Writable): PacedWriter {
  let queued = 0;
  let error: Error | null = null;
  let wake: (() => void) | null = null;
  // Listening from the start: a write error between two awaits must fail the export, not the process.
  stream.on("error", (err) => {
    error = err;
    wake?.();
  });
  return {
    async write(bytes) {
      if (error) throw error;
      queued += bytes.length;
      stream.write(bytes, () => {
        queued -= bytes.length;
        if (wake && queued <= MAX_QUEUED / 2) wake();
      });
      while (queued > MAX_QUEUED && !error) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      if (error) throw error;
    },
    async end() {
      if (error) throw error;
      stream.end();
      await once(stream, "finish");
    },
    async abandon() {
      // A file stream opens its file asynchronously: one destroyed before that would create it after a removal.
      if (stream.closed) return;
      const closed = once(stream, "close").catch(() => {});
      stream.destroy();
      await closed;
    },
  };
}
