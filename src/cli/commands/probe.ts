import type { Argv, CommandModule } from 'yargs';
import { jsonText } from '../../report/json-text.js';
import { parseIpv4, parseIpv6, parseMac } from '../../core/address.js';
import { UsageError } from '../../core/errors.js';
import { LinkType } from '../../core/link-type.js';
import type { ProbePlan } from '../../core/probe.js';
import { LivePipeline } from '../../pipeline/live-pipeline.js';
import { PROBE_LIMITS, ProbeCollector, runProbe, settleAnycastMac } from '../../pipeline/probe-session.js';
import { analysisJson } from '../../report/analysis-json.js';
import { probeJson, probeText } from '../../report/probe-report.js';
import { openInjector } from '../../source/inject.js';
import { discoverAnycastSetup, requireEthernet } from '../../source/interface-info.js';
import { openCapCapture } from '../../source/live-cap.js';
import { openTcpdumpCapture } from '../../source/live-tcpdump.js';
import { anycastConfigFrom, anycastFlagsBuilder, detectorsFrom, given, type AnycastFlags } from '../anycast-options.js';
import { verdictExitCode, type ExitCodeValue } from '../exit-code.js';
import { LineWriter } from '../output.js';
import { STOP_SIGNALS } from '../live-run.js';
import { useColor } from '../terminal.js';
import type { Engine } from './watch.js';

export interface ProbeOptions extends AnycastFlags {
  interface: string;
  sourceIp?: string;
  count: number;
  interval: number;
  timeout: number;
  json: boolean;
  engine: Engine;
}

/** Only what the probe's answers and the detectors need; nothing else is copied out of the kernel. */
const PROBE_FILTER = 'arp or icmp or icmp6';

function checkRange(value: number, min: number, max: number, flag: string, what: string): void {
  if (!(value >= min && value <= max)) throw new UsageError(`${flag} ${given(value)}: expected ${what} from ${min} to ${max}`);
}

/**
 * The plan from flags, the config file and the interface: the anycast
 * IPv4 addresses (given, or the macvlan's when probing a gateway's own
 * bridge), the anycast MAC (given, the macvlan's, or taken from the
 * answers), and this host's MAC and IPv4 address on the interface.
 */
function planFrom(opts: ProbeOptions): { plan: ProbePlan; anycastMacs: number[] } {
  if (!Number.isInteger(opts.count)) throw new UsageError(`--count ${given(opts.count)}: expected a whole number of rounds from 1 to ${PROBE_LIMITS.maxCount}`);
  checkRange(opts.count, 1, PROBE_LIMITS.maxCount, '--count', 'rounds');
  checkRange(opts.interval, PROBE_LIMITS.minInterval, PROBE_LIMITS.maxInterval, '--interval', 'seconds');
  checkRange(opts.timeout, 0.1, PROBE_LIMITS.maxTimeout, '--timeout', 'seconds');
  requireEthernet(opts.interface);
  const config = anycastConfigFrom(opts);
  const setup = discoverAnycastSetup(opts.interface);
  const anycastIpv4 = [...config.anycastIpv4];
  const anycastIpv6 = [...config.anycastIpv6];
  const anycastMacs = [...config.anycastMacs];
  if (anycastIpv4.length === 0 && anycastIpv6.length === 0) {
    for (const a of setup.anycast) {
      for (const ip of a.ipv4) anycastIpv4.push(parseIpv4(ip));
      for (const ip of a.ipv6) {
        const w = new Uint32Array(4);
        if (parseIpv6(ip, w) && w[0]! >>> 16 !== 0xfe80) anycastIpv6.push(w);
      }
      anycastMacs.push(parseMac(a.mac));
    }
  }
  if (anycastIpv4.length === 0) throw new UsageError('probe needs the anycast IPv4 address: give --anycast-ip IP (or "anycast" in the config file)');
  // IPv6 is asked too when the interface has an IPv6 address to ask from: a global or unique-local one, else its link-local.
  const own6 = setup.bridge.ipv6.map((text) => {
    const w = new Uint32Array(4);
    return parseIpv6(text, w) ? w : undefined;
  });
  const sourceIpv6 = own6.find((w) => w !== undefined && w[0]! >>> 16 !== 0xfe80) ?? own6.find((w) => w !== undefined) ?? null;
  const asked = anycastIpv4.length + (sourceIpv6 === null ? 0 : anycastIpv6.length);
  const packets = opts.count * asked * 2;
  if (packets > PROBE_LIMITS.maxPackets)
    throw new UsageError(`--count ${opts.count} × ${asked} anycast addresses would send ${packets} packets: at most ${PROBE_LIMITS.maxPackets} per probe`);
  const sourceMac = parseMac(setup.bridge.mac);
  if (Number.isNaN(sourceMac)) throw new UsageError(`${opts.interface} has no MAC address: probe an Ethernet interface`);
  const sourceText = opts.sourceIp ?? setup.bridge.ipv4[0];
  if (sourceText === undefined) throw new UsageError(`${opts.interface} has no IPv4 address: give --source-ip IP (an unused address of the mesh prefix)`);
  const sourceIp = parseIpv4(sourceText);
  if (Number.isNaN(sourceIp)) throw new UsageError(`--source-ip "${sourceText}" is not an IPv4 address`);
  return {
    plan: {
      sourceMac,
      sourceIp,
      anycastIpv4,
      anycastIpv6,
      sourceIpv6,
      anycastMac: anycastMacs[0] ?? -1,
      count: opts.count,
      interval: opts.interval,
      timeout: opts.timeout,
      echoId: process.pid & 0xffff,
    },
    anycastMacs,
  };
}

/**
 * probe: options → a plan → send the paced, bounded requests while
 * capturing the answers → the same detectors judge every captured frame →
 * the table of answers and the analysis → the exit code.
 */
export async function runProbeCommand(opts: ProbeOptions): Promise<ExitCodeValue> {
  const detectors = detectorsFrom(opts);
  const { plan, anycastMacs } = planFrom(opts);
  const config = { ...anycastConfigFrom(opts), anycastIpv4: plan.anycastIpv4.slice(), anycastIpv6: plan.anycastIpv6.slice(), anycastMacs };
  if (config.source === 'none') config.source = 'interface';
  const pipeline = new LivePipeline({ config, detectors, announce: () => undefined, linkType: LinkType.ethernet });
  const collector = new ProbeCollector(plan, pipeline);
  const injector = openInjector(opts.interface);
  let stopped = false;
  const onSignal = (): void => {
    stopped = true;
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  try {
    const live = { interface: opts.interface, filter: PROBE_FILTER, snapLen: 256 };
    // Immediate mode: the answers to the first round must arrive before the second (the anycast MAC may come from them).
    const capture = opts.engine === 'cap' ? openCapCapture(live, collector) : await openTcpdumpCapture({ ...live, immediate: true }, collector);
    const sent = await runProbe(plan, capture, injector, collector, () => stopped);
    const { result: analysis, judgement } = pipeline.finish();
    // Not given: the MAC the analysis inferred from all the answers and judged with, where they show it.
    const result = settleAnycastMac(sent, analysis.inferred);
    const doc = analysisJson(analysis, pipeline.stats, {
      input: opts.interface,
      format: 'live',
      duplicates: pipeline.dedup.duplicates,
      error: undefined,
      warnings: [],
      tsDigits: pipeline.tsDigits,
      judgedFromFrame: judgement.judgedFromFrame,
    });
    const report = probeJson(result, opts.interface, analysis.gateways, doc);
    const out = new LineWriter(1, () => undefined);
    out.line(opts.json ? jsonText(report, 2) : probeText(report, { color: useColor(1) }));
    out.flush();
    return verdictExitCode(report.verdict);
  } finally {
    injector.close();
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
  }
}

export const probeCommand: CommandModule<object, ProbeOptions> = {
  command: 'probe <interface>',
  describe: `ask the mesh: ARP who-has and ICMP echo for the anycast IP from this host, and show every MAC that answers (anycast or unicast), with round trips and loss. Paced and bounded: at most ${PROBE_LIMITS.maxPacketsPerSecond} packets/s and ${PROBE_LIMITS.maxPackets} in all. Needs CAP_NET_RAW, nothing more (root has it; README "Security")`,
  builder: (y: Argv) =>
    anycastFlagsBuilder(
      y
        .positional('interface', {
          type: 'string',
          demandOption: true,
          describe: 'interface on the mesh (a client interface, or a gateway bridge such as br-fftr)',
        })
        .option('source-ip', { type: 'string', describe: "the requests' source IPv4 (default: the interface's first address)" })
        .option('count', { alias: 'c', type: 'number', default: 3, describe: `rounds of requests, 1 to ${PROBE_LIMITS.maxCount}` })
        .option('interval', { type: 'number', default: 0.5, describe: `seconds between rounds, ${PROBE_LIMITS.minInterval} to ${PROBE_LIMITS.maxInterval}` })
        .option('timeout', { type: 'number', default: 1, describe: `seconds to wait for answers after the last request, 0.1 to ${PROBE_LIMITS.maxTimeout}` })
        .option('json', { type: 'boolean', default: false, describe: 'one JSON document: the answers and the analysis of the captured frames' })
        .option('engine', {
          choices: ['cap', 'tcpdump'] as const,
          default: 'tcpdump' as Engine,
          describe: 'capture engine for the answers (sending always uses the cap binding)',
        })
        .example('$0 probe eth0 --anycast-ip 10.172.0.10', 'who answers ARP and ping for the anycast IP, seen from this client')
        .example('$0 probe br-fftr', 'on a gateway: the anycast IP and MAC from the macvlan on the bridge'),
    ) as unknown as Argv<ProbeOptions>,
  handler: async (argv) => {
    process.exitCode = await runProbeCommand(argv);
  },
};
