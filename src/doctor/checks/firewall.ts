/**
 * The recipe's last step, "don't forget to adapt your iptables": traffic
 * that clients send to the anycast MAC arrives on the anycast interface,
 * not the bridge, so every rule that accepts, forwards, marks or NATs what
 * comes in on the bridge needs its twin for the anycast interface. And with
 * several gateways a reply may come back through a gateway that never saw
 * the request: conntrack calls it INVALID (or NEW), so a return path
 * accepted only for ESTABLISHED,RELATED, or an INVALID drop, discards it.
 */
import { interfaceMatches, type FirewallRule } from '../../host/firewall-rule.js';
import { notChecked, result, type CheckResult, type DoctorContext } from '../check.js';

/** Targets that only observe: a missing twin of these changes nothing. */
const OBSERVING_TARGETS = new Set(['LOG', 'NFLOG', 'ULOG', 'log', 'AUDIT']);

function ruleLabel(r: FirewallRule): string {
  return r.tool === 'nft' ? `nft ${r.table} ${r.chain} handle ${r.position}: ${r.text}` : `${r.tool} -t ${r.table} -A ${r.chain} ${r.text}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The command that adds `r`'s twin for `anycast` right after `r`. */
function twinCommand(r: FirewallRule, bridge: string, anycast: string): string {
  if (r.tool === 'nft') {
    const text = r.text.replace(new RegExp(`\\b(iifname|iif) "?${escapeRegExp(bridge)}"?`), `$1 "${anycast}"`);
    return `nft add rule ${r.table} ${r.chain} position ${r.position} ${text}`;
  }
  const text = r.text.replace(new RegExp(`(^|\\s)-i ${escapeRegExp(bridge)}(?=\\s|$)`), `$1-i ${anycast}`);
  return `${r.tool} -t ${r.table} -I ${r.chain} ${r.position + 1} ${text}`;
}

function deleteCommand(r: FirewallRule): string {
  return r.tool === 'nft' ? `nft delete rule ${r.table} ${r.chain} handle ${r.position}` : `${r.tool} -t ${r.table} -D ${r.chain} ${r.text}`;
}

/** Does the chain drop what its rules do not accept (policy drop, or a drop/reject rule after `after`)? */
function chainDrops(rules: readonly FirewallRule[], r: FirewallRule): boolean {
  if (r.chainPolicy === 'drop') return true;
  return rules.some(
    (o) =>
      o.tool === r.tool &&
      o.table === r.table &&
      o.chain === r.chain &&
      o.position > r.position &&
      (o.verdict === 'drop' || o.verdict === 'reject') &&
      o.ctStates.length === 0,
  );
}

export function firewallChecks({ host, setup }: DoctorContext): CheckResult[] {
  const fw = host.firewall;
  if (fw.kind !== 'read') {
    const why = fw.why;
    return [
      notChecked('firewall-anycast', why, fw.kind === 'unreadable'),
      notChecked('firewall-return-path', why, fw.kind === 'unreadable'),
      notChecked('firewall-invalid-drop', why, fw.kind === 'unreadable'),
    ];
  }
  const { rules, sources } = fw.value;
  const bridge = setup.bridge;
  const anycast = setup.anycastInterface;
  const read = `read with ${sources.join(', ')}`;
  const out: CheckResult[] = [];

  // 1. Every rule for what comes in on the bridge has its twin for the anycast interface.
  const bridgeRules = rules.filter(
    (r) =>
      r.inInterface !== undefined &&
      !r.inNegated &&
      interfaceMatches(r.inInterface, bridge) &&
      !interfaceMatches(r.inInterface, anycast) &&
      r.verdict !== 'drop' &&
      r.verdict !== 'reject' &&
      !OBSERVING_TARGETS.has(r.target),
  );
  let twinned = 0;
  for (const r of bridgeRules) {
    const twin = rules.find(
      (o) =>
        o.tool === r.tool &&
        o.table === r.table &&
        o.chain === r.chain &&
        o.shape === r.shape &&
        o.inInterface !== undefined &&
        !o.inNegated &&
        interfaceMatches(o.inInterface, anycast),
    );
    if (twin !== undefined) {
      twinned++;
      continue;
    }
    out.push(result('firewall-anycast', 'fail', `only for -i ${bridge}`, `the same rule for -i ${anycast}`, [twinCommand(r, bridge, anycast)], ruleLabel(r)));
  }
  if (out.length === 0)
    out.push(
      result(
        'firewall-anycast',
        'ok',
        bridgeRules.length === 0
          ? `no rule matches traffic coming in on ${bridge} (${read})`
          : `${twinned} rule(s) for ${bridge}, each with its twin for ${anycast} (${read})`,
        `every rule for -i ${bridge} also for -i ${anycast}`,
      ),
    );

  // 2. The way back into the mesh: accepted only for ESTABLISHED,RELATED in a chain that drops the rest.
  const intoMesh = (r: FirewallRule): boolean =>
    r.hook === 'forward' &&
    r.outInterface !== undefined &&
    !r.outNegated &&
    (interfaceMatches(r.outInterface, bridge) || interfaceMatches(r.outInterface, anycast)) &&
    !(r.inInterface !== undefined && (interfaceMatches(r.inInterface, bridge) || interfaceMatches(r.inInterface, anycast)));
  const stateOnly = rules.filter(
    (r) =>
      intoMesh(r) &&
      r.verdict === 'accept' &&
      r.ctStates.length > 0 &&
      !r.ctNegated &&
      r.ctStates.every((s) => s === 'established' || s === 'related') &&
      chainDrops(rules, r),
  );
  const returnStart = out.length;
  for (const r of stateOnly) {
    const open = rules.some(
      (o) =>
        intoMesh(o) &&
        o.tool === r.tool &&
        o.table === r.table &&
        o.chain === r.chain &&
        o.verdict === 'accept' &&
        o.ctStates.length === 0 &&
        o.inInterface === r.inInterface,
    );
    if (open) continue;
    const from = r.inInterface !== undefined ? ` -i ${r.inInterface}` : '';
    const fix =
      r.tool === 'nft'
        ? `nft insert rule ${r.table} ${r.chain} position ${r.position}${r.inInterface !== undefined ? ` iifname "${r.inInterface}"` : ''} oifname "${r.outInterface}" accept`
        : `${r.tool} -t ${r.table} -I ${r.chain} ${r.position}${from} -o ${r.outInterface} -j ACCEPT`;
    out.push(
      result(
        'firewall-return-path',
        'warn',
        `accepted only ${r.ctStates.join(',').toUpperCase()}${r.chainPolicy === 'drop' ? ', chain policy drop' : ', dropped later in the chain'}`,
        `replies into the mesh accepted whatever their conntrack state: a reply to a request another gateway forwarded is not ESTABLISHED here`,
        [fix],
        ruleLabel(r),
      ),
    );
  }
  if (out.length === returnStart)
    out.push(
      result(
        'firewall-return-path',
        'ok',
        `no return path into ${bridge} limited to ESTABLISHED,RELATED (${read})`,
        'replies accepted whatever their conntrack state',
      ),
    );

  // 3. INVALID drops: asymmetric replies are INVALID on the gateway that did not see the request.
  const invalid = rules.filter(
    (r) =>
      (r.hook === 'forward' || r.hook === 'prerouting') && r.ctStates.includes('invalid') && !r.ctNegated && (r.verdict === 'drop' || r.verdict === 'reject'),
  );
  for (const r of invalid)
    out.push(
      result(
        'firewall-invalid-drop',
        'warn',
        `conntrack INVALID ${r.verdict === 'drop' ? 'dropped' : 'rejected'} in ${r.chain}`,
        'no drop of conntrack INVALID on forwarded traffic: replies another gateway saw the request of are INVALID here',
        [deleteCommand(r)],
        ruleLabel(r),
      ),
    );
  if (invalid.length === 0) out.push(result('firewall-invalid-drop', 'ok', `no INVALID drop on forwarded traffic (${read})`, 'no INVALID drop'));
  return out;
}
