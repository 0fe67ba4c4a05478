import * as os from 'node:os';
import type { Argv, CommandModule } from 'yargs';
import { hasAnycast, type AnycastConfig } from '../../detect/config.js';
import { parseIpv4, parseIpv6, parseMac } from '../../core/address.js';
import { buildDefaultFilter } from '../../source/default-filter.js';
import { discoverAnycastSetup, isBridge, requireEthernet } from '../../source/interface-info.js';
import { checkLiveOptions, openCapCapture, type LiveCapture } from '../../source/live-cap.js';
import { openTcpdumpCapture } from '../../source/live-tcpdump.js';
import { anycastConfigFrom, anycastFlagsBuilder, detectorsFrom, type AnycastFlags } from '../anycast-options.js';
import { UsageError } from '../../core/errors.js';
import type { ExitCodeValue } from '../exit-code.js';
import { runLive } from '../live-run.js';
import { warn } from '../output.js';
import { liveOutputBuilder } from '../live-options.js';

export type Engine = 'cap' | 'tcpdump';

export interface WatchOptions extends AnycastFlags {
  interface: string;
  filter?: string;
  engine: Engine;
  bufferMib: number;
  snaplen: number;
  json: boolean;
  ndjson: boolean;
  duration: number;
  count: number;
  write?: string;
}

/**
 * Zero-config on a gateway: the macvlan stacked on the bridge is the
 * anycast interface (its MAC and addresses are the anycast MAC and IPs), the
 * bridge's own MAC is this gateway's unicast MAC. Only a bridge makes this
 * host a gateway: on a plain interface (a client's eth0) its MAC is a
 * client's like any other, or its own pings would count as traffic between
 * gateways. Flags and the config file take precedence; anything they leave
 * open is filled from the interfaces.
 */
export function configFromInterface(iface: string, base: AnycastConfig): AnycastConfig {
  const setup = discoverAnycastSetup(iface);
  const bridge = isBridge(setup.bridge);
  const config: AnycastConfig = {
    ...base,
    anycastIpv4: [...base.anycastIpv4],
    anycastIpv6: [...base.anycastIpv6],
    anycastMacs: [...base.anycastMacs],
    gateways: [...base.gateways],
  };
  if (!hasAnycast(base)) {
    for (const a of setup.anycast) {
      const mac = parseMac(a.mac);
      if (!Number.isNaN(mac) && !config.anycastMacs.includes(mac)) config.anycastMacs.push(mac);
      for (const ip of a.ipv4) {
        const v = parseIpv4(ip);
        if (!Number.isNaN(v)) config.anycastIpv4.push(v);
      }
      for (const ip of a.ipv6) {
        const w = new Uint32Array(4);
        if (parseIpv6(ip, w) && w[0]! >>> 16 !== 0xfe80) config.anycastIpv6.push(w);
      }
    }
    if (setup.anycast.length > 0) config.source = 'interface';
    else if (!bridge)
      warn(
        `${iface} is not a bridge: this host is not taken for a gateway, and the anycast IP and MAC will be inferred from the traffic; give --anycast-ip/--anycast-mac to be sure`,
      );
    else
      warn(
        `${iface}: no macvlan (anycast interface) on it: the anycast IP and MAC will be inferred from the traffic; give --anycast-ip/--anycast-mac to be sure`,
      );
  }
  if (!bridge) return config;
  const bridgeMac = parseMac(setup.bridge.mac);
  const known = config.gateways.some((g) => g.macs.includes(bridgeMac));
  if (!Number.isNaN(bridgeMac) && !known && !config.anycastMacs.includes(bridgeMac)) {
    const ipv4 = setup.bridge.ipv4.map(parseIpv4).filter((v) => !Number.isNaN(v) && !config.anycastIpv4.includes(v));
    config.gateways.push({ name: `${os.hostname()} (this host)`, macs: [bridgeMac], ipv4, fromInterface: true });
  }
  return config;
}

export async function runWatch(opts: WatchOptions): Promise<ExitCodeValue> {
  if (opts.duration < 0 || opts.count < 0) throw new UsageError('--duration and --count must not be negative');
  // libpcap takes the buffer size as an int: 2048 MiB is one byte past its largest.
  if (!(opts.bufferMib >= 1 && opts.bufferMib <= 2047)) throw new UsageError(`--buffer-mib ${opts.bufferMib}: expected 1 to 2047`);
  const detectors = detectorsFrom(opts);
  checkLiveOptions({ interface: opts.interface, filter: '', snapLen: opts.snaplen, bufferBytes: opts.bufferMib * 1024 * 1024 }, 0);
  requireEthernet(opts.interface);
  const config = configFromInterface(opts.interface, anycastConfigFrom(opts));
  const gatewayMacs = [...config.anycastMacs, ...config.gateways.flatMap((g) => g.macs)];
  const filter = opts.filter ?? buildDefaultFilter({ detectors, gatewayMacs, vlan: true, batadv: true });
  const live = { interface: opts.interface, filter, snapLen: opts.snaplen, bufferBytes: opts.bufferMib * 1024 * 1024 };
  return runLive(
    {
      input: opts.interface,
      title: `anycast-probe watch ${opts.interface} (${opts.engine})`,
      config,
      detectors,
      json: opts.json,
      ndjson: opts.ndjson,
      duration: opts.duration,
      count: opts.count,
      write: opts.write,
      format: 'live',
    },
    async (sink) => {
      const capture: LiveCapture = opts.engine === 'cap' ? openCapCapture(live, sink) : await openTcpdumpCapture(live, sink);
      return {
        stop: () => capture.stop(),
        done: capture.done,
        counters: () => {
          const s = capture.stats();
          return {
            received: s.received,
            dropped: s.dropped,
            note:
              opts.engine === 'cap'
                ? 'engine cap: libpcap counters via pcap_stats are not exposed by the binding; timestamps are a monotonic clock on arrival'
                : `engine tcpdump: kernel timestamps and drop counters${s.ifDropped !== undefined ? `, ${s.ifDropped} dropped by the interface` : ''}`,
          };
        },
      };
    },
  );
}

export const watchCommand: CommandModule<object, WatchOptions> = {
  command: 'watch <interface>',
  describe:
    'capture live on the mesh bridge (e.g. br-fftr) and show problems as they happen. With no flags on a gateway it takes the anycast IP and MAC from the macvlan on the bridge (else it infers them from the traffic). Needs CAP_NET_RAW, nothing more (root has it; README "Security")',
  builder: (y: Argv) =>
    anycastFlagsBuilder(
      liveOutputBuilder(
        y
          .positional('interface', { type: 'string', demandOption: true, describe: 'interface to capture on (the mesh bridge, e.g. br-fftr)' })
          .option('filter', {
            alias: 'f',
            type: 'string',
            describe: 'BPF filter instead of the default (ARP, ICMP, ICMPv6, frames between gateway MACs, batman-adv)',
          })
          .option('engine', {
            choices: ['cap', 'tcpdump'] as const,
            default: 'tcpdump' as Engine,
            describe: 'capture engine: tcpdump -U -w - through our reader (kernel timestamps, drop counters) or the cap binding',
          })
          .option('buffer-mib', { type: 'number', default: 16, describe: 'kernel capture buffer in MiB (1 to 2047)' })
          .option('snaplen', { alias: 's', type: 'number', default: 262144, describe: 'bytes kept per frame, 64 to 262144' }),
      ),
    ) as unknown as Argv<WatchOptions>,
  handler: async (argv) => {
    process.exitCode = await runWatch(argv);
  },
};
