import type { Argv, CommandModule } from 'yargs';
import { jsonText } from '../../report/json-text.js';
import { UsageError } from '../../core/errors.js';
import { parseIpv4 } from '../../core/address.js';
import { runChecks } from '../../doctor/checks.js';
import { ipv4Prefix, type Prefix } from '../../doctor/prefix.js';
import { resolveSetup, type DoctorConfig } from '../../doctor/setup.js';
import { liveHost, type HostAccess } from '../../host/access.js';
import { DEFAULT_CONFIG_PATHS, readHostSnapshot, type ConfigPaths } from '../../host/snapshot.js';
import { doctorJson } from '../../report/doctor-json.js';
import { doctorText } from '../../report/doctor-text.js';
import { anycastAddressFlagsBuilder, anycastConfigFrom } from '../anycast-options.js';
import { EXIT_CODES_TEXT, ExitCode, type ExitCodeValue } from '../exit-code.js';
import { LineWriter, OutputClosed } from '../output.js';
import { useColor } from '../terminal.js';

export interface DoctorOptions {
  bridge?: string;
  anycastInterface?: string;
  anycastIp?: string[] | string;
  anycastMac?: string[] | string;
  config?: string;
  meshPrefix?: string;
  batmanInterface?: string;
  dhcpdConf?: string;
  dnsmasqConf?: string;
  dnsmasqDir?: string;
  radvdConf?: string;
  birdConf?: string;
  json: boolean;
}

function meshPrefix(text: string | undefined): Prefix | undefined {
  if (text === undefined) return undefined;
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim());
  const addr = m === null ? Number.NaN : parseIpv4(m[1]!);
  const length = m === null ? Number.NaN : Number(m[2]);
  if (Number.isNaN(addr) || !(length >= 1 && length <= 32)) throw new UsageError(`--mesh-prefix "${text}": expected an IPv4 prefix such as 10.172.0.0/16`);
  return ipv4Prefix(addr, length);
}

function interfaceName(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  // Linux interface names: 1-15 bytes, no '/', no whitespace.
  if (value === '' || value.length > 15 || /[/\s]/.test(value))
    throw new UsageError(`${flag} "${value}": not an interface name (1 to 15 characters, no "/" or spaces)`);
  return value;
}

export function doctorConfigFrom(opts: DoctorOptions): DoctorConfig {
  // Only --anycast-ip, --anycast-mac and --config exist on doctor; the file's gateways and thresholds are not used.
  const anycast = anycastConfigFrom(opts);
  return {
    bridge: interfaceName(opts.bridge, '--bridge'),
    anycastInterface: interfaceName(opts.anycastInterface, '--anycast-interface'),
    anycastIpv4: anycast.anycastIpv4,
    anycastIpv6: anycast.anycastIpv6,
    anycastMacs: anycast.anycastMacs,
    meshPrefix: meshPrefix(opts.meshPrefix),
    batmanInterface: interfaceName(opts.batmanInterface, '--batman-interface'),
  };
}

export function configPathsFrom(opts: DoctorOptions): ConfigPaths {
  return {
    dhcpdConf: opts.dhcpdConf ?? DEFAULT_CONFIG_PATHS.dhcpdConf,
    dnsmasqConf: opts.dnsmasqConf ?? DEFAULT_CONFIG_PATHS.dnsmasqConf,
    dnsmasqDir: opts.dnsmasqDir ?? DEFAULT_CONFIG_PATHS.dnsmasqDir,
    radvdConf: opts.radvdConf ?? DEFAULT_CONFIG_PATHS.radvdConf,
    birdConf: opts.birdConf !== undefined ? [opts.birdConf] : DEFAULT_CONFIG_PATHS.birdConf,
  };
}

/** options → configuration → read the host → checks → report → exit code. */
export function runDoctor(opts: DoctorOptions, host: HostAccess = liveHost): ExitCodeValue {
  const config = doctorConfigFrom(opts);
  const snapshot = readHostSnapshot(host, configPathsFrom(opts));
  const setup = resolveSetup(snapshot, config);
  const result = runChecks({ host: snapshot, setup });
  const out = new LineWriter(1);
  try {
    out.line(opts.json ? jsonText(doctorJson(setup, result), 2) : doctorText(setup, result, useColor(1)));
    out.flush();
  } catch (err) {
    if (!(err instanceof OutputClosed)) throw err;
  }
  return result.verdict === 'healthy' ? ExitCode.ok : result.verdict === 'problems' ? ExitCode.problems : ExitCode.usageOrInput;
}

export const doctorCommand: CommandModule<object, DoctorOptions> = {
  command: 'doctor',
  describe:
    "check this gateway's anycast configuration against the recipe, reading only: the macvlan on the mesh bridge, arp_filter, rp_filter, source routing, uplink rules, DAD, batman-adv, the firewall, DHCP and RA daemons. Each check one line with what was found, what was expected and the command that fixes it. Run as root (the firewall needs it)",
  builder: (y: Argv) =>
    // Without --anycast-ip/--anycast-mac (or the config file), the anycast interface's own addresses are judged.
    anycastAddressFlagsBuilder(y)
      .option('bridge', { type: 'string', describe: 'the mesh bridge (default: the bridge with a macvlan on it, br-fftr first)' })
      .option('anycast-interface', { type: 'string', describe: 'the anycast macvlan (default: the macvlan on the bridge)' })
      .option('mesh-prefix', { type: 'string', describe: "the clients' IPv4 prefix (default: the anycast address's, e.g. 10.172.0.0/16)" })
      .option('batman-interface', { type: 'string', describe: 'the batman-adv interface (default: every batadv interface)' })
      .option('dhcpd-conf', { type: 'string', describe: `isc-dhcp-server config (default ${DEFAULT_CONFIG_PATHS.dhcpdConf})` })
      .option('dnsmasq-conf', { type: 'string', describe: `dnsmasq config (default ${DEFAULT_CONFIG_PATHS.dnsmasqConf})` })
      .option('dnsmasq-dir', { type: 'string', describe: `dnsmasq conf-dir (default ${DEFAULT_CONFIG_PATHS.dnsmasqDir})` })
      .option('radvd-conf', { type: 'string', describe: `radvd config (default ${DEFAULT_CONFIG_PATHS.radvdConf})` })
      .option('bird-conf', { type: 'string', describe: `BIRD config with protocol radv (default: the first of ${DEFAULT_CONFIG_PATHS.birdConf.join(', ')})` })
      .option('json', { type: 'boolean', default: false, describe: 'one JSON document (anycast-probe/doctor/v1)' })
      .example('sudo anycast-probe doctor', 'on a gateway: finds br-fftr and its macvlan by itself')
      .example('sudo anycast-probe doctor --bridge br-fftr --anycast-ip 10.172.0.10 --bird-conf /etc/bird/bird6.conf', 'name what it cannot find')
      .epilogue(EXIT_CODES_TEXT) as unknown as Argv<DoctorOptions>,
  handler: (argv) => {
    process.exitCode = runDoctor(argv);
  },
};
