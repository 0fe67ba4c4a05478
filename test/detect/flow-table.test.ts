import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowTable } from '../../src/detect/flow-table.js';

test('a slot keeps a 48-bit MAC and a gateway index side by side in its packed words', () => {
  const t = new FlowTable(64, 120);
  const s = t.upsert(0x0aac0001, 0xc0a80001 | 0, (443 << 16) | 40000, 6);
  assert.equal(t.mac(s), -1, 'a fresh slot has no MAC');
  assert.equal(t.gateway(s), -1, 'a fresh slot has no gateway');
  for (const mac of [0, 1, 0x02cafe000001, 0xffffffff, 0x100000000, 0xffffffffffff]) {
    t.setMac(s, mac);
    assert.equal(t.mac(s), mac);
  }
  for (const gw of [0, 63, -1, 5]) {
    t.setGateway(s, gw);
    assert.equal(t.gateway(s), gw);
    assert.equal(t.mac(s), 0xffffffffffff, 'setting the gateway keeps the MAC');
  }
  t.setMac(s, 0x020000000301);
  assert.equal(t.gateway(s), 5, 'setting the MAC keeps the gateway');
});

test('find sees live keys only; an expired key comes back from upsert reset', () => {
  const t = new FlowTable(64, 120);
  t.now = 1000.5;
  const s = t.upsert(1, 2, 3, 17);
  t.setMac(s, 0x020000000101);
  t.setGateway(s, 2);
  assert.equal(t.find(1, 2, 3, 17), s);
  assert.equal(t.find(2, 1, 3, 17), -1, 'a first word never stored is a miss without a probe');
  assert.equal(t.find(1, 2, 3, 6), -1);
  t.now = 1120.5;
  assert.equal(t.find(1, 2, 3, 17), s, 'exactly the idle limit is still live');
  t.now = 1120.75;
  assert.equal(t.find(1, 2, 3, 17), -1);
  assert.equal(t.upsert(1, 2, 3, 17), s);
  assert.equal(t.mac(s), -1);
  assert.equal(t.gateway(s), -1);
  assert.equal(t.find(1, 2, 3, 17), s, 'upsert touched it');
  assert.equal(t.evictions, 0);
});

test('a full table evicts the least recently touched key and counts it', () => {
  const t = new FlowTable(16, 120);
  for (let i = 0; i < 16; i++) {
    t.now = i;
    t.upsert(i, 0, 0, 6);
  }
  t.now = 16;
  t.touch(t.find(0, 0, 0, 6));
  t.upsert(100, 0, 0, 6);
  assert.equal(t.evictions, 1);
  assert.notEqual(t.find(0, 0, 0, 6), -1, 'key 0 was touched last-but-one, so it stays');
  assert.equal(t.find(1, 0, 0, 6), -1, 'key 1 was the oldest');
  assert.notEqual(t.find(100, 0, 0, 6), -1);
});

test('claim never evicts a live entry: a full table refuses (counted) until release() frees a slot', () => {
  const t = new FlowTable(16, 5);
  t.now = 1;
  const slots: number[] = [];
  for (let i = 0; i < 16; i++) slots.push(t.claim(i, 1, 2, 3));
  assert.ok(slots.every((s) => s >= 0));
  assert.equal(t.claim(99, 1, 2, 3), -1);
  assert.deepEqual([t.refused, t.evictions], [1, 0]);
  for (let i = 0; i < 16; i++) assert.equal(t.find(i, 1, 2, 3), slots[i], `entry ${i} kept`);
  t.release(slots[3]!);
  assert.equal(t.find(3, 1, 2, 3), -1);
  assert.ok(t.claim(99, 1, 2, 3) >= 0);
  // An entry idle past the table's limit is room too.
  t.now = 10;
  assert.ok(t.claim(100, 1, 2, 3) >= 0);
  assert.equal(t.refused, 1);
});
