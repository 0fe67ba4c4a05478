import { readCapture, type ReadHooks, type ReadResult } from './capture-reader.js';
import { emptyFrameRecord, type FrameRecord, type FrameSink } from '../core/frame-record.js';

export interface ReplayOptions {
  /** 1 = original pacing, 2 = twice as fast…; ignored with `fast`. */
  speed: number;
  /** No pacing: as fast as the pipeline takes them. */
  fast: boolean;
  shouldStop(): boolean;
  onInterface?: ReadHooks['onInterface'];
}

/** Frames held between the reader and the paced consumer (one reader chunk is 1 MiB). */
const QUEUE_HIGH_WATER = 8192;

interface QueuedFrame {
  rec: FrameRecord;
  bytes: Uint8Array;
}

/**
 * Feeds a capture file to a sink with its original pacing, so the live
 * pipeline (and its live view) can run on a fixture without root. The
 * reader copies frames into a bounded queue and waits while it is full;
 * the consumer releases each frame when its capture-time offset from the
 * first frame, divided by `speed`, has elapsed on the wall clock. Frames
 * keep their original timestamps: windows run on capture time.
 */
export async function replayCapture(path: string, sink: FrameSink, opts: ReplayOptions): Promise<ReadResult> {
  if (opts.fast) {
    return readCapture(path, sink, { shouldStop: opts.shouldStop, ...(opts.onInterface ? { onInterface: opts.onInterface } : {}) });
  }
  const queue: QueuedFrame[] = [];
  let readerDone = false;
  let wakeConsumer: (() => void) | undefined;
  let wakeReader: (() => void) | undefined;
  let startWall = -1;
  let startCapture = 0;

  const consumer = (async () => {
    for (;;) {
      if (opts.shouldStop()) return;
      const item = queue.shift();
      if (item === undefined) {
        if (readerDone) return;
        await new Promise<void>((resolve) => (wakeConsumer = resolve));
        continue;
      }
      if (queue.length < QUEUE_HIGH_WATER / 2) wakeReader?.();
      const t = item.rec.tsSec + item.rec.tsNsec / 1e9;
      if (startWall < 0) {
        startWall = performance.now();
        startCapture = t;
      }
      const due = startWall + ((t - startCapture) * 1000) / opts.speed;
      // Sleep in short steps so Ctrl-C and --duration are honoured within 200 ms.
      while (!opts.shouldStop()) {
        const wait = due - performance.now();
        if (wait <= 0) break;
        await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 200)));
      }
      if (opts.shouldStop()) return;
      sink.frame(item.rec);
    }
  })();

  const copy: FrameSink = {
    frame(rec) {
      const bytes = rec.data.slice(rec.offset, rec.offset + rec.capLen);
      const own = { ...emptyFrameRecord(), ...rec, data: bytes, offset: 0 };
      queue.push({ rec: own, bytes });
      wakeConsumer?.();
      wakeConsumer = undefined;
    },
  };
  try {
    return await readCapture(path, copy, {
      shouldStop: opts.shouldStop,
      ...(opts.onInterface ? { onInterface: opts.onInterface } : {}),
      afterChunk: async () => {
        while (queue.length >= QUEUE_HIGH_WATER && !opts.shouldStop()) {
          await new Promise<void>((resolve) => (wakeReader = resolve));
        }
      },
    });
  } finally {
    readerDone = true;
    wakeConsumer?.();
    await consumer;
  }
}
