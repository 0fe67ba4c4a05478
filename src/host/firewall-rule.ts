/**
 * One firewall rule, whichever tool wrote it (iptables-save, ip6tables-save,
 * nft -j), reduced to what doctor judges: the chain and its hook and policy,
 * the interfaces it matches, conntrack states, and what it does. `shape` is
 * the rule with its input interface blanked, so the twin of a br-fftr rule
 * for fftr-gw-anycast has the same shape.
 */

/** The command that wrote the rule, and so the one that changes it. */
export type FirewallTool = 'iptables' | 'ip6tables' | 'iptables-legacy' | 'ip6tables-legacy' | 'nft';

export type RuleVerdict = 'accept' | 'drop' | 'reject' | 'nat' | 'jump' | 'return' | 'other';

export interface FirewallRule {
  tool: FirewallTool;
  /** iptables: filter/nat/mangle/raw; nft: "FAMILY NAME". */
  table: string;
  chain: string;
  /** The netfilter hook the chain is attached to (a user chain: undefined). */
  hook: string | undefined;
  /** The chain's policy (a user chain: undefined). */
  chainPolicy: 'accept' | 'drop' | undefined;
  /** 1-based position in its chain (iptables) or the rule handle (nft). */
  position: number;
  inInterface: string | undefined;
  inNegated: boolean;
  outInterface: string | undefined;
  outNegated: boolean;
  /** Conntrack states it requires (lower case), empty when it does not look at them. */
  ctStates: readonly string[];
  ctNegated: boolean;
  verdict: RuleVerdict;
  /** The target or statement, as the tool names it (ACCEPT, MASQUERADE, TCPMSS, a chain…). */
  target: string;
  /** The rule as the tool prints it (iptables-save arguments after the chain; nft's rule text). */
  text: string;
  /** Everything but the input interface, for finding a rule's twin. */
  shape: string;
}

/** iptables' interface match: a trailing "+" matches every name with that prefix. */
export function interfaceMatches(pattern: string, name: string): boolean {
  return pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}
