import { spawnSync } from 'node:child_process';

/** Runs a command; throws with its stderr when it fails (20 s at most). */
export function sh(args: readonly string[]): void {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
}

/**
 * A network namespace of the test's own (name it `acpsafe-<pid>` or the
 * like, never a name another test or the lab uses) holding a veth pair,
 * `inj0` (frames go in: replay --inject) and `cap0` or `capName` (watch listens), both
 * up, IPv6 off so the kernel sends nothing of its own. Root only.
 */
export function createVethNamespace(ns: string, capName = 'cap0'): void {
  sh(['ip', 'netns', 'add', ns]);
  sh(['ip', 'netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  sh(['ip', '-n', ns, 'link', 'add', 'inj0', 'type', 'veth', 'peer', 'name', capName]);
  sh(['ip', '-n', ns, 'link', 'set', 'inj0', 'up']);
  sh(['ip', '-n', ns, 'link', 'set', capName, 'up']);
}

/** Removes that namespace (and its veth pair) by its name. */
export function removeNamespace(ns: string): void {
  spawnSync('ip', ['netns', 'del', ns], { timeout: 20_000 });
}
