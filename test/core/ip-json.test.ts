import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIproute2Json } from '../../src/core/ip-json.js';
import { linksFrom } from '../../src/host/ip.js';

// What iproute2 6.1 prints for `ip link add "x$(printf '\033')[7m" type dummy`: the ESC raw inside the JSON string.
const RAW =
  '[{"ifindex":7,"ifname":"x\u001b[7m","flags":["BROADCAST","NOARP"],"mtu":1500,"operstate":"DOWN","link_type":"ether","address":"02:00:00:00:00:07","linkinfo":{"info_kind":"dummy"}}]\n';

test('ip -j output with a control character in an interface name parses, keeping the name as it is', () => {
  assert.throws(() => JSON.parse(RAW), SyntaxError);
  const parsed = parseIproute2Json(RAW) as { ifname: string }[];
  assert.equal(parsed[0]!.ifname, 'x\u001b[7m');
  assert.deepEqual(parseIproute2Json('  \n'), []);
});

test("doctor's link list reads such an interface instead of failing on it", () => {
  const links = linksFrom(RAW);
  assert.equal(links.length, 1);
  assert.equal(links[0]!.name, 'x\u001b[7m');
});
