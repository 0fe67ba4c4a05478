/**
 * nftables' ruleset: `nft -j list ruleset` for the structure (which chain,
 * hook and policy; which interface, conntrack state and verdict) and
 * `nft -a list ruleset` for each rule's text by handle, which the fix
 * commands repeat. Tables that iptables-nft writes appear here too; the
 * snapshot leaves those to iptables-save.
 */
import type { FirewallRule, RuleVerdict } from './firewall-rule.js';

type Json = Record<string, unknown>;

const NAT_STATEMENTS = new Set(['snat', 'dnat', 'masquerade', 'redirect']);

interface ChainInfo {
  hook: string | undefined;
  policy: 'accept' | 'drop' | undefined;
}

/** Rule texts by "FAMILY TABLE HANDLE", from `nft -a list ruleset`, counters left out. */
export function nftRuleTexts(text: string): Map<string, string> {
  const texts = new Map<string, string>();
  let table = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const t = /^table (\S+) (\S+) \{/.exec(line);
    if (t !== null) {
      table = `${t[1]} ${t[2]}`;
      continue;
    }
    const h = /^(.*?)\s*# handle (\d+)$/.exec(line);
    if (h === null || /^(chain|table|set|map|flowtable|type) /.test(line)) continue;
    const body = h[1]!.replace(/\s*counter packets \d+ bytes \d+/, '').trim();
    if (body !== '') texts.set(`${table} ${h[2]}`, body);
  }
  return texts;
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Values of a match's right side: a string, a list, or {set: [...]}. */
function values(right: unknown): string[] {
  if (typeof right === 'string') return [right];
  if (Array.isArray(right)) return right.filter((v): v is string => typeof v === 'string');
  if (isObject(right) && Array.isArray(right.set)) return values(right.set);
  return [];
}

function metaKey(left: unknown): string | undefined {
  if (!isObject(left) || !isObject(left.meta)) return undefined;
  const key = left.meta.key;
  return typeof key === 'string' ? key : undefined;
}

function ctKey(left: unknown): string | undefined {
  if (!isObject(left) || !isObject(left.ct)) return undefined;
  const key = left.ct.key;
  return typeof key === 'string' ? key : undefined;
}

export function parseNftJson(json: string, texts: ReadonlyMap<string, string>): FirewallRule[] {
  const doc = JSON.parse(json) as unknown;
  const items = isObject(doc) && Array.isArray(doc.nftables) ? doc.nftables.filter(isObject) : [];
  const chains = new Map<string, ChainInfo>();
  for (const item of items) {
    const c = item.chain;
    if (!isObject(c)) continue;
    const policy = c.policy === 'accept' || c.policy === 'drop' ? c.policy : undefined;
    chains.set(`${String(c.family)} ${String(c.table)} ${String(c.name)}`, { hook: typeof c.hook === 'string' ? c.hook : undefined, policy });
  }
  const rules: FirewallRule[] = [];
  for (const item of items) {
    const r = item.rule;
    if (!isObject(r) || !Array.isArray(r.expr)) continue;
    const table = `${String(r.family)} ${String(r.table)}`;
    const chain = String(r.chain);
    const info = chains.get(`${table} ${chain}`);
    const handle = typeof r.handle === 'number' ? r.handle : 0;
    const rule: FirewallRule = {
      tool: 'nft',
      table,
      chain,
      hook: info?.hook,
      chainPolicy: info?.policy,
      position: handle,
      inInterface: undefined,
      inNegated: false,
      outInterface: undefined,
      outNegated: false,
      ctStates: [],
      ctNegated: false,
      verdict: 'other',
      target: '',
      text: texts.get(`${table} ${handle}`) ?? '',
      shape: '',
    };
    const shape: unknown[] = [];
    for (const e of r.expr.filter(isObject)) {
      if ('counter' in e) continue;
      const m = e.match;
      if (isObject(m)) {
        const meta = metaKey(m.left);
        const ct = ctKey(m.left);
        const vs = values(m.right);
        if ((meta === 'iifname' || meta === 'iif') && vs.length === 1) {
          rule.inInterface = nftWildcard(vs[0]!);
          rule.inNegated = m.op === '!=';
          shape.push({ in: m.op });
          continue;
        }
        if ((meta === 'oifname' || meta === 'oif') && vs.length === 1) {
          rule.outInterface = nftWildcard(vs[0]!);
          rule.outNegated = m.op === '!=';
        }
        if (ct === 'state') {
          rule.ctStates = vs.map((v) => v.toLowerCase());
          rule.ctNegated = m.op === '!=';
        }
      }
      const [verdict, target] = nftVerdict(e);
      if (verdict !== undefined) {
        rule.verdict = verdict;
        rule.target = target;
      }
      shape.push(e);
    }
    rule.shape = JSON.stringify(shape);
    rules.push(rule);
  }
  return rules;
}

/** nft writes a prefix match as "br-*"; the rule model uses iptables' "br-+". */
function nftWildcard(name: string): string {
  return name.endsWith('*') && !name.endsWith('\\*') ? `${name.slice(0, -1)}+` : name;
}

function nftVerdict(e: Json): [RuleVerdict | undefined, string] {
  if ('accept' in e) return ['accept', 'accept'];
  if ('drop' in e) return ['drop', 'drop'];
  if ('reject' in e) return ['reject', 'reject'];
  if ('return' in e) return ['return', 'return'];
  for (const key of ['jump', 'goto'] as const) {
    const j = e[key];
    if (isObject(j)) return ['jump', String(j.target)];
  }
  for (const key of Object.keys(e)) if (NAT_STATEMENTS.has(key)) return ['nat', key];
  if ('mangle' in e || 'xt' in e) return ['other', Object.keys(e)[0]!];
  return [undefined, ''];
}
