/**
 * The kernel's policy-routing walk, for one question: where does a packet
 * from SRC to a whole prefix go? Rules in priority order; a rule whose
 * selectors match sends the lookup to its table; a table without a route
 * for the destination lets the walk go on to the next rule (FIB rules'
 * fall-through). Rules with selectors doctor does not model (fwmark, tos,
 * ports, uid, "not") never match here, which errs toward "not routed".
 */
import type { HostRoute, HostRule } from '../host/ip.js';
import { contains, prefixOf, type Prefix } from './prefix.js';

export interface Lookup {
  rule: HostRule;
  /** The route chosen; undefined when the rule itself ends the walk (blackhole, unreachable, prohibit). */
  route: HostRoute | undefined;
}

const TERMINAL_RULE_ACTIONS = new Set(['blackhole', 'unreachable', 'prohibit']);

/** The most specific route of `table` that covers all of `dst`. */
export function routeIn(routes: readonly HostRoute[], table: string, dst: Prefix): HostRoute | undefined {
  let best: HostRoute | undefined;
  for (const r of routes) {
    if (r.table !== table || r.type === 'local' || r.type === 'broadcast' || r.type === 'multicast' || r.type === 'anycast') continue;
    const p = prefixOf(r.dst, r.dstLength, dst.family);
    if (p === undefined || !contains(p, dst)) continue;
    if (best === undefined || r.dstLength > best.dstLength) best = r;
  }
  return best;
}

export function ruleMatches(rule: HostRule, family: 4 | 6, src: Prefix, dst: Prefix, iif: string | undefined): boolean {
  if (rule.not || rule.otherSelectors.length > 0 || rule.oif !== undefined) return false;
  // Locally generated packets carry iif "lo" for rule matching.
  if (rule.iif !== undefined && rule.iif !== (iif ?? 'lo')) return false;
  const s = prefixOf(rule.src, rule.srcLength, family);
  const d = prefixOf(rule.dst, rule.dstLength, family);
  return s !== undefined && d !== undefined && contains(s, src) && contains(d, dst);
}

/** The first rule whose table routes src → dst, and that route; undefined when nothing does. */
export function lookup(rules: readonly HostRule[], routes: readonly HostRoute[], src: Prefix, dst: Prefix, iif?: string): Lookup | undefined {
  const ordered = [...rules].sort((a, b) => a.priority - b.priority);
  for (const rule of ordered) {
    if (!ruleMatches(rule, src.family, src, dst, iif)) continue;
    if (TERMINAL_RULE_ACTIONS.has(rule.action)) return { rule, route: undefined };
    if (rule.action !== 'lookup' || rule.table === undefined) continue;
    const route = routeIn(routes, rule.table, dst);
    if (route !== undefined) return { rule, route };
  }
  return undefined;
}
