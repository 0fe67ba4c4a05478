import { keepFailedHandle, loadCap, needsNetRaw } from './live-cap.js';
import { requireInterface } from './interface-info.js';
import { EnvironmentError } from '../core/errors.js';

export interface Injector {
  send(data: Uint8Array, offset: number, length: number): void;
  sent(): number;
  close(): void;
}

/** Opens an interface for sending raw frames through libpcap (cap's send), for `replay --inject`. */
export function openInjector(iface: string): Injector {
  const { Cap } = loadCap();
  requireInterface(iface);
  const cap = new Cap();
  const buffer = Buffer.alloc(65535);
  try {
    // A filter no frame passes: this handle only sends. Receiving on it (cap copies every frame into
    // `buffer` and calls back into JS) is work for nothing and, while `probe` sends and captures at
    // once, crashed the process with heap corruption in some runs.
    cap.open(iface, 'less 1', 1024 * 1024, buffer);
  } catch (err) {
    keepFailedHandle(cap);
    const message = (err as Error).message;
    if (/permi|not permitted|EPERM/i.test(message)) {
      throw needsNetRaw(`sending on ${iface}`);
    }
    throw new EnvironmentError(`${iface}: cannot open for sending: ${message}`);
  }
  let count = 0;
  const frame = Buffer.alloc(65535);
  return {
    send(data, offset, length) {
      // cap sends from a Buffer: copy into one reused buffer (no allocation per frame).
      const n = Math.min(length, frame.length);
      frame.set(data.subarray(offset, offset + n), 0);
      cap.send(frame, n);
      count++;
    },
    sent: () => count,
    close: () => cap.close(),
  };
}
