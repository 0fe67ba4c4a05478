/**
 * Records what `doctor` reads from this host (every command's output and
 * every file) into one JSON file, so tests replay a real gateway's state:
 *   ip netns exec NS node dist/scripts/record-doctor-host.js OUT.json [CONFDIR]
 * CONFDIR holds dhcpd.conf and bird6.conf (test/doctor/gateway.sh writes them).
 */
import * as fs from 'node:fs';
import { liveHost, type CommandResult, type HostAccess } from '../src/host/access.js';
import { DEFAULT_CONFIG_PATHS, readHostSnapshot } from '../src/host/snapshot.js';

export interface HostRecording {
  commands: Record<string, CommandResult>;
  files: Record<string, string>;
  dirs: Record<string, string[]>;
}

const [out, confDir] = process.argv.slice(2);
if (out === undefined) {
  console.error('usage: record-doctor-host OUT.json [CONFDIR]');
  process.exit(2);
}
const recording: HostRecording = { commands: {}, files: {}, dirs: {} };
const recorder: HostAccess = {
  readFile(path) {
    const text = liveHost.readFile(path);
    if (text !== undefined) recording.files[path] = text;
    return text;
  },
  listDir(path) {
    const names = liveHost.listDir(path);
    if (names !== undefined) recording.dirs[path] = names;
    return names;
  },
  run(program, args) {
    const r = liveHost.run(program, args);
    recording.commands[[program, ...args].join(' ')] = r;
    return r;
  },
};
const paths =
  confDir === undefined ? DEFAULT_CONFIG_PATHS : { ...DEFAULT_CONFIG_PATHS, dhcpdConf: `${confDir}/dhcpd.conf`, birdConf: [`${confDir}/bird6.conf`] };
readHostSnapshot(recorder, paths);
// The config directory is a temporary one: record its files under the default paths.
if (confDir !== undefined) {
  for (const [path, text] of Object.entries(recording.files)) {
    if (!path.startsWith(`${confDir}/`)) continue;
    delete recording.files[path];
    recording.files[path.endsWith('dhcpd.conf') ? DEFAULT_CONFIG_PATHS.dhcpdConf : DEFAULT_CONFIG_PATHS.birdConf[0]!] = text;
  }
}
fs.writeFileSync(out, `${JSON.stringify(recording, null, 1)}\n`);
