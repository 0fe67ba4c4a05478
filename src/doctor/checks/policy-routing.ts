/**
 * Policy routing of the recipe: what leaves from the anycast IP towards
 * the mesh must leave through the anycast interface (a rule from the anycast
 * IP to a table that routes the mesh prefix via it), and the rules that
 * send mesh traffic into the uplink must match traffic that arrives on the
 * anycast interface too — an `iif br-fftr` rule does not.
 */
import { formatIpv4 } from '../../core/address.js';
import type { HostRule } from '../../host/ip.js';
import { notChecked, result, type CheckResult, type DoctorContext } from '../check.js';
import { contains, formatPrefix, ipv4Prefix, prefixOf, type Prefix } from '../prefix.js';
import { lookup, routeIn } from '../route-lookup.js';

const DEFAULT_TABLE = 'anycast';
const MAIN_PRIORITY = 32766;

function describeRule(r: HostRule): string {
  const from = r.src === 'all' ? 'all' : `${r.src}/${r.srcLength}`;
  return `${r.priority}: from ${from}${r.iif !== undefined ? ` iif ${r.iif}` : ''} ${r.action === 'lookup' ? `lookup ${r.table}` : r.action}`;
}

/** The table the recipe's rule should name: one that already routes the mesh via the anycast interface, else "anycast". */
function anycastTable(ctx: DoctorContext, mesh: Prefix): string {
  const { host, setup } = ctx;
  const viaAnycast = host.routes4.find(
    (r) => r.dev === setup.anycastInterface && r.table !== 'main' && r.table !== 'local' && routeIn([r], r.table, mesh) !== undefined,
  );
  return viaAnycast?.table ?? DEFAULT_TABLE;
}

export function sourceRoutingChecks(ctx: DoctorContext): CheckResult[] {
  const { host, setup } = ctx;
  const mesh = setup.meshPrefix;
  if (mesh === undefined) {
    const why = 'no mesh prefix: the anycast interface has no IPv4 prefix; give --mesh-prefix';
    return [notChecked('source-rule', why), notChecked('source-route', why)];
  }
  if (setup.anycastIpv4.length === 0) {
    const why = 'no anycast IPv4 address to route from';
    return [notChecked('source-rule', why), notChecked('source-route', why)];
  }
  const out: CheckResult[] = [];
  const meshText = formatPrefix(mesh);
  for (const ip of setup.anycastIpv4) {
    const ipText = formatIpv4(ip);
    const src = ipv4Prefix(ip, 32);
    const found = lookup(host.rules4, host.routes4, src, mesh);
    const own = host.rules4.filter((r) => r.src === ipText && r.srcLength === 32 && r.action === 'lookup' && !r.not && r.otherSelectors.length === 0);
    const table = own[0]?.table ?? anycastTable(ctx, mesh);
    // ip refuses a table name /etc/iproute2/rt_tables does not define; numbers need no definition.
    const known = host.rules4.some((r) => r.table === table) || host.routes4.some((r) => r.table === table) || /^\d+$/.test(table);
    const defineTable = known ? [] : [`grep -qw ${table} /etc/iproute2/rt_tables || echo "11 ${table}" >> /etc/iproute2/rt_tables`];
    const where =
      found === undefined
        ? `from ${ipText} to ${meshText}: no route`
        : `from ${ipText} to ${meshText}: ${found.route === undefined ? found.rule.action : `dev ${found.route.dev ?? '?'}`} (rule ${describeRule(found.rule)})`;
    const good = found?.route?.dev === setup.anycastInterface;
    if (good) {
      out.push(
        result(
          'source-rule',
          'ok',
          `rule ${describeRule(found!.rule)}`,
          `from ${ipText}/32 to a table routing ${meshText} via ${setup.anycastInterface}`,
          [],
          ipText,
        ),
      );
      out.push(result('source-route', 'ok', where, `via ${setup.anycastInterface}`, [], ipText));
      continue;
    }
    // Which part is missing: the rule (none from the anycast IP, or one that a rule before it overrides) or the route in its table.
    const ownReached = own.find((r) => routeIn(host.routes4, r.table!, mesh) !== undefined);
    const tableRoute = routeIn(host.routes4, table, mesh);
    // A route for exactly the mesh prefix through another device is replaced; `ip route add` would say "File exists".
    const verb = tableRoute !== undefined && tableRoute.dstLength === mesh.length ? 'replace' : 'add';
    const routeFix = `ip route ${verb} ${meshText} dev ${setup.anycastInterface} table ${table}`;
    if (own.length === 0 || (ownReached !== undefined && found !== undefined && found.rule !== ownReached)) {
      // Before the rule that catches it now (unless that is main's, which every added rule precedes).
      const before = found !== undefined && found.rule.priority < MAIN_PRIORITY ? found.rule.priority : undefined;
      const fix = [...defineTable, `ip rule add from ${ipText}/32 table ${table}${before !== undefined ? ` priority ${Math.max(1, before - 1)}` : ''}`];
      if (own[0] !== undefined) fix.unshift(`ip rule del priority ${own[0].priority} from ${ipText}/32 table ${own[0].table}`);
      out.push(
        result(
          'source-rule',
          'fail',
          own.length === 0 ? `no rule from ${ipText}; ${where}` : `rule ${describeRule(own[0]!)} comes after ${describeRule(found!.rule)}`,
          `ip rule from ${ipText}/32 lookup ${table}, before any other rule that matches it`,
          fix,
          ipText,
        ),
      );
    } else out.push(result('source-rule', 'ok', `rule ${describeRule(own[0]!)}`, `from ${ipText}/32 lookup a table`, [], ipText));
    if (tableRoute?.dev === setup.anycastInterface)
      out.push(result('source-route', 'ok', `table ${table}: ${meshText} dev ${setup.anycastInterface}`, `via ${setup.anycastInterface}`, [], ipText));
    else
      out.push(
        result(
          'source-route',
          'fail',
          tableRoute === undefined ? `table ${table} has no route for ${meshText}; ${where}` : `table ${table}: ${meshText} dev ${tableRoute.dev ?? '?'}`,
          `table ${table}: ${meshText} dev ${setup.anycastInterface}`,
          [routeFix],
          ipText,
        ),
      );
  }
  return out;
}

/** The rules with `iif BRIDGE` that send mesh traffic to an uplink table, and whether anycast traffic reaches that table too. */
export function uplinkRuleChecks(ctx: DoctorContext): CheckResult[] {
  const { host, setup } = ctx;
  const out: CheckResult[] = [];
  for (const [family, rules, meshes] of [
    [4, host.rules4, setup.meshPrefix === undefined ? [] : [setup.meshPrefix]],
    [6, host.rules6, setup.meshPrefixes6],
  ] as const) {
    const ip = family === 4 ? 'ip' : 'ip -6';
    for (const rule of rules) {
      if (rule.iif !== setup.bridge || rule.action !== 'lookup' || rule.table === undefined || ['main', 'local', 'default'].includes(rule.table)) continue;
      const twin = rules.find((r) => r.iif === setup.anycastInterface && r.table === rule.table);
      // A `from MESH` rule to the same table before main catches clients' traffic whatever interface it came in on.
      const fromMesh = rules.find(
        (r) =>
          r.iif === undefined &&
          r.table === rule.table &&
          r.priority < MAIN_PRIORITY &&
          r.otherSelectors.length === 0 &&
          meshes.some((m: Prefix) => {
            const p = prefixOf(r.src, r.srcLength, family);
            return p !== undefined && p.length > 0 && contains(p, m);
          }),
      );
      const subject = `${family === 4 ? 'IPv4' : 'IPv6'} ${describeRule(rule)}`;
      if (twin !== undefined) out.push(result('uplink-rules', 'ok', `${describeRule(twin)}`, `anycast traffic also reaches table ${rule.table}`, [], subject));
      else if (fromMesh !== undefined)
        out.push(result('uplink-rules', 'ok', `${describeRule(fromMesh)} covers the mesh`, `anycast traffic also reaches table ${rule.table}`, [], subject));
      else
        out.push(
          result(
            'uplink-rules',
            'fail',
            `only ${describeRule(rule)}: traffic arriving on ${setup.anycastInterface} is not sent to table ${rule.table}`,
            `the same rule for iif ${setup.anycastInterface}`,
            [`${ip} rule add iif ${setup.anycastInterface} table ${rule.table} priority ${rule.priority}`],
            subject,
          ),
        );
    }
  }
  if (out.length === 0) out.push(notChecked('uplink-rules', `no ip rule with iif ${setup.bridge} sends mesh traffic to an uplink table`));
  return out;
}
