/**
 * batman-adv under the bridge: the batman interface must be a port of the
 * mesh bridge, and with several gateways bridging the same mesh, bridge
 * loop avoidance must be on (/sys/class/net/BAT/mesh/bridge_loop_avoidance,
 * present when batman-adv was built with it; `batctl bl 1`).
 */
import { notChecked, result, type CheckResult, type DoctorContext } from '../check.js';

export function batmanChecks({ host, setup }: DoctorContext): CheckResult[] {
  if (setup.batman.length === 0)
    return [
      notChecked('batman-bridge-port', 'no batman-adv interface here (name one with --batman-interface)'),
      notChecked('bridge-loop-avoidance', 'no batman-adv interface here'),
    ];
  const out: CheckResult[] = [];
  const ports = host.bridgePorts.get(setup.bridge) ?? [];
  for (const bat of setup.batman) {
    const link = host.links.find((l) => l.name === bat);
    if (link === undefined) {
      out.push(result('batman-bridge-port', 'fail', `no interface ${bat}`, `${bat} a port of ${setup.bridge}`, [`batctl meshif ${bat} interface create`], bat));
      continue;
    }
    const isPort = ports.includes(bat) || link.master === setup.bridge;
    out.push(
      isPort
        ? result('batman-bridge-port', 'ok', `${bat} in ${setup.bridge}`, `${bat} a port of ${setup.bridge}`, [], bat)
        : result(
            'batman-bridge-port',
            'fail',
            `${bat} ${link.master !== undefined ? `in ${link.master}` : 'in no bridge'}`,
            `${bat} a port of ${setup.bridge}`,
            [`ip link set dev ${bat} master ${setup.bridge}`],
            bat,
          ),
    );
    const bla = host.bridgeLoopAvoidance.get(bat);
    if (bla === undefined) out.push(notChecked('bridge-loop-avoidance', `/sys/class/net/${bat}/mesh/bridge_loop_avoidance not present`, false, bat));
    else if (bla === 1) out.push(result('bridge-loop-avoidance', 'ok', 'on', 'on', [], bat));
    else out.push(result('bridge-loop-avoidance', 'fail', `off (${bla})`, 'on', [`batctl meshif ${bat} bridge_loop_avoidance 1`], bat));
  }
  return out;
}
