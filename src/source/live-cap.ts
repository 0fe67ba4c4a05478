/**
 * Live capture through the npm package `cap` (a small libpcap binding).
 *
 * What cap 0.2.1 does (node_modules/cap/src/binding.cc) and what that means:
 *  - open(): pcap_create, snaplen fixed at 65535, promiscuous mode always on
 *    (which is what we want: a bridge device only passes frames forwarded
 *    between its ports up to the host while it is promiscuous),
 *    pcap_set_buffer_size(bufSize), timeout 1000 ms, immediate mode *if*
 *    dlopen("libpcap.so") finds the unversioned library (it is only there
 *    with libpcap-dev installed; without it TPACKET_V3 batching may delay
 *    frames by up to the 1 s timeout), then BPF compile/setfilter.
 *  - Delivery: uv_poll on the pcap fd; per readable event it loops
 *    pcap_dispatch(handle, 1, …): ONE packet per dispatch and one JS call
 *    (MakeCallback into `emit`, with a microtask checkpoint) per packet.
 *    The packet is memcpy'd into the single Buffer given to open(), so the
 *    handler must use it synchronously — exactly our FrameRecord contract.
 *  - The handler gets (copiedLength, truncated) only: NO timestamp (the
 *    kernel's pcap_pkthdr.ts is thrown away), NO original wire length
 *    (only "truncated" when the frame did not fit our buffer), and there is
 *    NO pcap_stats binding: kernel drop counters are not available.
 *  - setMinBytes exists on Windows only; pcap_set_timeout, immediate mode,
 *    snaplen and promiscuity cannot be changed from JS.
 *  - pcap_lookupnet() failing (an interface without IPv4 address) makes the
 *    C code print "Warning: … - This may not actually work" to stderr; that
 *    cannot be silenced from JS (it is harmless: only `ip broadcast` filters
 *    need the netmask).
 *  - After a failed open() the native object holds a half-initialised
 *    handle whose destructor would call uv_poll_stop() on an uninitialised
 *    uv_poll_t; failed objects are therefore kept referenced for the life of
 *    the process (see `failedHandles`) so the GC never runs that destructor.
 *
 * What we tune from JS: the kernel ring size (bufferBytes, default 32 MiB;
 * with TPACKET the ring is mmap'd and not limited by net.core.rmem_max), the
 * copy buffer (= snap length, at most cap's 65535), and the per-packet path:
 * a subclass overrides `emit` so a packet costs one direct call (no
 * EventEmitter listener lookup, no rest-argument array) and the timestamp is
 * performance.now() (a V8 fast call returning a double, no allocation)
 * against a wall-clock anchor read once at start.
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { EnvironmentError, UsageError } from '../core/errors.js';
import { emptyFrameRecord, type FrameSink } from '../core/frame-record.js';
import { LinkType, linkTypeName } from '../core/link-type.js';
import { notEthernetError, requireInterface } from './interface-info.js';

export interface LiveCaptureOptions {
  /** Interface to capture on, e.g. "br-fftr". */
  interface: string;
  /** BPF filter expression (pcap-filter(7)); "" captures everything. */
  filter: string;
  /** Bytes kept of each frame; default 65535 (cap cannot go higher). */
  snapLen?: number;
  /** Kernel capture buffer (ring) size in bytes; default 32 MiB for cap, 16 MiB for tcpdump. */
  bufferBytes?: number;
}

export interface LiveCaptureStats {
  /** Frames handed to the sink so far. */
  received: number;
  /** Frames the kernel dropped because the buffer was full; undefined when the engine cannot tell. */
  dropped: number | undefined;
  /** Frames the interface/driver dropped; undefined when the engine cannot tell. */
  ifDropped: number | undefined;
}

export interface LiveCapture {
  /** Which engine delivers the frames. */
  readonly engine: 'cap' | 'tcpdump';
  /** LINKTYPE_* of the frames (always 1, Ethernet: other link types are refused at open). */
  readonly linkType: number;
  /** Stops capturing. Idempotent; frames already in flight may still arrive until `done` settles. */
  stop(): void;
  /** Counters so far; final once `done` has settled. */
  stats(): LiveCaptureStats;
  /**
   * Settles when the capture has ended and every frame has been delivered:
   * resolves after stop(), rejects if the engine failed or the sink threw.
   * Callers should always await (or catch) it.
   */
  readonly done: Promise<void>;
}

export const LIVE_DEFAULTS = {
  snapLen: 65535,
  /**
   * cap runs libpcap in immediate mode (TPACKET_V2), whose ring has fixed
   * slots sized from the 65535 snaplen (~64 KiB each on interfaces with
   * offloads, e.g. veth and bridges): 32 MiB is only ~512 slots. Measured on
   * a veth/bridge ping flood of 200 000 frames at ~60k frames/s: 16 MiB lost
   * 20 %, 64 MiB lost 0.8 %, silently (cap has no drop counter).
   */
  capBufferBytes: 32 * 1024 * 1024,
  /** tcpdump in batched TPACKET_V3 mode packs frames by size: 4 MiB already lost none in the same flood. */
  tcpdumpBufferBytes: 16 * 1024 * 1024,
  /** libpcap refuses snap lengths above this. */
  maxSnapLen: 262144,
} as const;

/** cap's own snaplen (binding.cc: pcap_set_snaplen(handle, 65535)). */
const CAP_SNAPLEN = 65535;

/**
 * The one line for a missing privilege: capturing (either engine, promiscuous
 * mode included) and sending raw frames need CAP_NET_RAW and nothing more.
 * It names the capability and the narrow ways to grant it; never setcap on
 * node, which would give every script node runs the same power.
 */
export function needsNetRaw(what: string): EnvironmentError {
  return new EnvironmentError(
    `${what} needs CAP_NET_RAW: run as root, or with only that capability (systemd AmbientCapabilities=CAP_NET_RAW, or setpriv --inh-caps=+net_raw --ambient-caps=+net_raw; README "Security")`,
  );
}

/** The error for capturing without the privilege to. */
export function permissionError(iface: string): EnvironmentError {
  return needsNetRaw(`capturing on ${iface}`);
}

/**
 * Turns one libpcap error message (from cap's open() or tcpdump's stderr)
 * into the one-line error the user sees.
 */
export function mapLibpcapError(message: string, opts: { interface: string; filter: string }): EnvironmentError {
  const msg = message.replace(/\s+/g, ' ').trim();
  if (/no such device|SIOCGIFINDEX|SIOCGIFHWADDR/i.test(msg)) {
    // Re-check: the interface may have gone between the pre-check and open.
    try {
      requireInterface(opts.interface);
    } catch (err) {
      return err as EnvironmentError;
    }
  }
  if (/permission|not permitted|EPERM|EACCES/i.test(msg)) return permissionError(opts.interface);
  if (/not up|is down/i.test(msg)) {
    return new EnvironmentError(`interface ${opts.interface} is down: ip link set ${opts.interface} up`);
  }
  const activation = /SIOC|socket:|bind|mmap|setsockopt|promiscuous|Unable to set|buffer size|can't mmap/i;
  if (opts.filter !== '' && !activation.test(msg)) {
    return new EnvironmentError(`bad capture filter "${opts.filter}": ${msg}`);
  }
  return new EnvironmentError(`cannot capture on ${opts.interface}: ${msg}`);
}

export function checkLiveOptions(opts: LiveCaptureOptions, defaultBufferBytes: number): { snapLen: number; bufferBytes: number } {
  const snapLen = opts.snapLen ?? LIVE_DEFAULTS.snapLen;
  const bufferBytes = opts.bufferBytes ?? defaultBufferBytes;
  if (!Number.isInteger(snapLen) || snapLen < 64 || snapLen > LIVE_DEFAULTS.maxSnapLen) {
    throw new UsageError(
      `--snaplen ${snapLen}: expected an integer from 64 to ${LIVE_DEFAULTS.maxSnapLen} (bytes kept per frame; 64 keeps a tagged ARP packet or an ICMP header)`,
    );
  }
  if (!Number.isInteger(bufferBytes) || bufferBytes < 65536 || bufferBytes > 0x7fffffff) {
    throw new UsageError(`capture buffer of ${bufferBytes} bytes: expected an integer from 65536 to ${0x7fffffff} (--buffer-mib 1 to 2047)`);
  }
  return { snapLen, bufferBytes };
}

// ---- the cap binding --------------------------------------------------------

export interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): boolean;
  /** pcap_sendpacket: sends `nbytes` of `buffer` as one frame (replay --inject). */
  send(buffer: Buffer, nbytes?: number): void;
}

type CapClass = new () => CapHandle;

interface CapModule {
  Cap: CapClass & { deviceList(): { name: string }[] };
}

let capModule: CapModule | undefined;

const NOT_INSTALLED = 'the libpcap binding (npm package "cap") is not installed: apt-get install libpcap-dev, then npm rebuild cap (or npm ci)';

/** Loads `cap` on first use; a missing package or an unbuilt native module is an EnvironmentError. */
export function loadCap(): CapModule {
  if (capModule !== undefined) return capModule;
  try {
    const mod = createRequire(import.meta.url)('cap') as CapModule;
    if (typeof mod.Cap !== 'function') throw new Error('no Cap export');
    capModule = mod;
    return mod;
  } catch {
    throw new EnvironmentError(NOT_INSTALLED);
  }
}

/** Native handles whose open() failed: never collected (see the header comment). */
const failedHandles: CapHandle[] = [];

/**
 * Keeps a handle whose open() failed referenced for the life of the process:
 * its destructor would stop a poll handle that was never started and abort
 * node (uv_poll_stop assertion) after the error line was printed.
 */
export function keepFailedHandle(handle: CapHandle): void {
  failedHandles.push(handle);
}

/** cap's link type strings (binding.cc) → LINKTYPE_* numbers. */
function capLinkType(name: string): { linkType: number; label: string } {
  switch (name) {
    case 'ETHERNET':
      return { linkType: LinkType.ethernet, label: linkTypeName(LinkType.ethernet) };
    case 'NULL':
      return { linkType: 0, label: 'BSD loopback (NULL)' };
    case 'IEEE802_11_RADIO':
      return { linkType: 127, label: '802.11 radiotap' };
    case 'LINKTYPE_LINUX_SLL':
      return { linkType: LinkType.linuxSll, label: linkTypeName(LinkType.linuxSll) };
    case 'RAW':
      return { linkType: LinkType.raw, label: linkTypeName(LinkType.raw) };
    default: {
      const m = /(\d+)/.exec(name);
      const n = m === null ? -1 : Number(m[1]);
      return { linkType: n, label: n === -1 ? name : linkTypeName(n) };
    }
  }
}

/**
 * Opens a live capture with cap and starts delivering frames to `sink`
 * synchronously from the event loop. Throws a one-line EnvironmentError for
 * a missing binding, a missing interface, no permission, a bad filter or a
 * non-Ethernet interface.
 */
export function openCapCapture(opts: LiveCaptureOptions, sink: FrameSink): LiveCapture {
  const { snapLen, bufferBytes } = checkLiveOptions(opts, LIVE_DEFAULTS.capBufferBytes);
  const { Cap } = loadCap();
  // Checked first: libpcap's own message is vaguer, and cap would also print a
  // warning. "any" is libpcap's pseudo-device: let open() refuse its link type.
  if (opts.interface !== 'any') requireInterface(opts.interface);

  const buffer = Buffer.alloc(Math.min(snapLen, CAP_SNAPLEN));
  const rec = emptyFrameRecord();
  rec.data = buffer;
  rec.offset = 0;
  rec.linkType = LinkType.ethernet;
  rec.interfaceId = 0;
  rec.tsDigits = 9;

  let received = 0;
  let stopped = false;
  let resolveDone!: () => void;
  let rejectDone!: (err: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });

  // Wall-clock anchor, read once; after that only the monotonic clock.
  const anchorMs = Date.now();
  const anchorPerf = performance.now();
  const baseSec = Math.floor(anchorMs / 1000);
  const baseNs = (anchorMs - baseSec * 1000) * 1e6;

  let handle: CapHandle | undefined;
  const fail = (err: unknown): void => {
    if (!stopped) {
      stopped = true;
      handle?.close();
    }
    rejectDone(err);
  };

  const onPacket = (nbytes: number): void => {
    if (stopped) return;
    const ns = baseNs + Math.round((performance.now() - anchorPerf) * 1e6);
    const carry = Math.floor(ns / 1e9);
    rec.tsSec = baseSec + carry;
    rec.tsNsec = ns - carry * 1e9;
    rec.capLen = nbytes;
    // cap passes neither pcap_pkthdr.len nor how much a snapLen below 65535
    // cut (only a "truncated" flag): the wire length is the copied length.
    rec.wireLen = nbytes;
    rec.number = ++received;
    rec.fileOffset = 0;
    try {
      sink.frame(rec);
    } catch (err) {
      fail(err);
    }
  };

  // binding.cc reads `this.emit` once, in the constructor, and calls it for
  // every packet: overriding it on a subclass replaces EventEmitter#emit.
  class DirectCap extends Cap {
    emit(event: string, nbytes: number): boolean {
      if (event === 'packet') onPacket(nbytes);
      return true;
    }
  }

  const cap = new DirectCap();
  let capLinkName: string;
  try {
    capLinkName = cap.open(opts.interface, opts.filter, bufferBytes, buffer);
  } catch (err) {
    keepFailedHandle(cap);
    throw mapLibpcapError(err instanceof Error ? err.message : String(err), opts);
  }
  handle = cap;
  const { linkType, label } = capLinkType(capLinkName);
  if (linkType !== LinkType.ethernet) {
    cap.close();
    throw notEthernetError(opts.interface, label);
  }

  return {
    engine: 'cap',
    linkType,
    stop() {
      if (stopped) return;
      stopped = true;
      cap.close(); // safe inside a packet callback: binding.cc defers pcap_close
      resolveDone();
    },
    stats() {
      return { received, dropped: undefined, ifDropped: undefined };
    },
    done,
  };
}

/** Interface names libpcap can open (cap's Cap.deviceList()), or undefined without the binding. */
export function capDeviceNames(): string[] | undefined {
  try {
    return loadCap()
      .Cap.deviceList()
      .map((d) => d.name);
  } catch {
    return undefined;
  }
}
