/**
 * `iptables-save` / `ip6tables-save` output (legacy or nf_tables backend:
 * the same text) into FirewallRules. The text is canonical — iptables-save
 * prints every rule with its options in one order — so two rules that differ
 * only in `-i` print the same apart from it.
 */
import type { FirewallRule, FirewallTool, RuleVerdict } from './firewall-rule.js';

const HOOK_OF_CHAIN: Readonly<Record<string, string>> = {
  PREROUTING: 'prerouting',
  INPUT: 'input',
  FORWARD: 'forward',
  OUTPUT: 'output',
  POSTROUTING: 'postrouting',
};

const NAT_TARGETS = new Set(['SNAT', 'DNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP']);

/** Splits an iptables-save line into arguments; "…" quotes keep spaces (comments). */
export function iptablesArgs(line: string): string[] {
  const args: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) args.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  return args;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/(["\\])/g, '\\$1')}"`;
}

/** The arguments back as iptables-save prints them. */
export function iptablesText(args: readonly string[]): string {
  return args.map(quote).join(' ');
}

function verdictOf(target: string, userChains: ReadonlySet<string>): RuleVerdict {
  if (target === 'ACCEPT') return 'accept';
  if (target === 'DROP') return 'drop';
  if (target === 'REJECT') return 'reject';
  if (target === 'RETURN') return 'return';
  if (NAT_TARGETS.has(target)) return 'nat';
  if (userChains.has(target)) return 'jump';
  return 'other';
}

export function parseIptablesSave(text: string, tool: FirewallTool): FirewallRule[] {
  const rules: FirewallRule[] = [];
  let table = '';
  const policies = new Map<string, 'accept' | 'drop'>();
  const userChains = new Set<string>();
  const positions = new Map<string, number>();
  const lines = text.split('\n');
  // User chains are declared before the rules of their table; a first pass learns them all.
  for (const line of lines) {
    const m = /^:(\S+) (\S+)/.exec(line);
    if (m !== null && m[2] === '-') userChains.add(m[1]!);
  }
  for (const raw of lines) {
    const line = raw.trim();
    if (line.startsWith('*')) {
      table = line.slice(1);
      continue;
    }
    const chainDecl = /^:(\S+) (\S+)/.exec(line);
    if (chainDecl !== null) {
      if (chainDecl[2] !== '-') policies.set(`${table} ${chainDecl[1]}`, chainDecl[2] === 'ACCEPT' ? 'accept' : 'drop');
      continue;
    }
    if (!line.startsWith('-A ')) continue;
    const args = iptablesArgs(line);
    const chain = args[1] ?? '';
    const key = `${table} ${chain}`;
    const position = (positions.get(key) ?? 0) + 1;
    positions.set(key, position);
    const body = args.slice(2);
    let inInterface: string | undefined;
    let outInterface: string | undefined;
    let inNegated = false;
    let outNegated = false;
    let ctNegated = false;
    let ctStates: string[] = [];
    let target = '';
    const shape: string[] = [];
    for (let i = 0; i < body.length; i++) {
      const a = body[i]!;
      const negated = a === '!';
      const opt = negated ? body[i + 1] : a;
      const value = negated ? body[i + 2] : body[i + 1];
      if ((opt === '-i' || opt === '-o') && value !== undefined) {
        if (opt === '-i') {
          inInterface = value;
          inNegated = negated;
          shape.push(negated ? '! -i \u0000' : '-i \u0000');
        } else {
          outInterface = value;
          outNegated = negated;
          shape.push(negated ? '!' : '', '-o', value);
        }
        i += negated ? 2 : 1;
        continue;
      }
      if ((opt === '--state' || opt === '--ctstate') && value !== undefined) {
        ctStates = value.toLowerCase().split(',');
        ctNegated = negated;
      }
      if (a === '-j' || a === '-g') target = body[i + 1] ?? '';
      shape.push(a);
    }
    rules.push({
      tool,
      table,
      chain,
      hook: HOOK_OF_CHAIN[chain],
      chainPolicy: policies.get(key),
      position,
      inInterface,
      inNegated,
      outInterface,
      outNegated,
      ctStates,
      ctNegated,
      verdict: verdictOf(target, userChains),
      target,
      text: iptablesText(body),
      shape: shape.filter((s) => s !== '').join(' '),
    });
  }
  return rules;
}
