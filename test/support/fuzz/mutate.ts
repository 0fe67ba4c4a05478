import type { Rng } from '../../../scripts/rng.js';
import { LinkType } from '../../../src/core/link-type.js';
import { edgeValues, lengthFields, recordSpans, withField } from '../capture-fields.js';

/** Mutated inputs are kept under this size: the properties are about structure, not volume. */
export const MAX_INPUT_BYTES = 64 * 1024;

const INTERESTING_8 = [0, 1, 0x7f, 0x80, 0xff, 0x40, 0x20, 0x08, 0x06, 0x11, 0x3a];
const INTERESTING_16 = [0, 1, 0x7fff, 0x8000, 0xffff, 0x0800, 0x0806, 0x86dd, 0x8100, 0x88a8, 0x4305, 0x05dc, 0x0600];
const INTERESTING_32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x0a0d0d0a, 0x1a2b3c4d, 262144, 262145, 16 * 1024 * 1024];

type Mutator = (input: Uint8Array, rng: Rng, corpus: readonly Uint8Array[]) => Uint8Array;

const bitFlip: Mutator = (input, rng) => {
  if (input.length === 0) return input;
  const out = Uint8Array.from(input);
  const at = rng.int(out.length);
  out[at] = out[at]! ^ (1 << rng.int(8));
  return out;
};

const byteSet: Mutator = (input, rng) => {
  if (input.length === 0) return input;
  const out = Uint8Array.from(input);
  out[rng.int(out.length)] = rng.next() < 0.5 ? rng.pick(INTERESTING_8) : rng.int(256);
  return out;
};

const wordSet: Mutator = (input, rng) => {
  if (input.length < 4) return input;
  const out = Uint8Array.from(input);
  const v = new DataView(out.buffer);
  const le = rng.next() < 0.5;
  if (rng.next() < 0.5) v.setUint16(rng.int(out.length - 1), rng.pick(INTERESTING_16), le);
  else v.setUint32(rng.int(out.length - 3), rng.pick(INTERESTING_32), le);
  return out;
};

/** A length field the container or a frame declares, set to 0, 1, its maximum, one past the buffer or anything. */
const lengthField: Mutator = (input, rng) => {
  const fields = lengthFields(input);
  if (fields.length === 0) return byteSet(input, rng, []);
  const f = rng.pick(fields);
  const value = rng.next() < 0.8 ? rng.pick(edgeValues(f)) : rng.int(Math.min(f.room + 2, 0xffff));
  return withField(input, f, value);
};

const truncate: Mutator = (input, rng) => input.subarray(0, rng.int(input.length + 1));

const deleteRange: Mutator = (input, rng) => {
  if (input.length < 2) return input;
  const from = rng.int(input.length);
  const to = Math.min(input.length, from + 1 + rng.int(64));
  const out = new Uint8Array(input.length - (to - from));
  out.set(input.subarray(0, from));
  out.set(input.subarray(to), from);
  return out;
};

/** Repeats a slice in place: a record, block or header seen twice (or a thousand times, in the long run). */
const duplicateRange: Mutator = (input, rng) => {
  if (input.length < 2) return input;
  const from = rng.int(input.length);
  const len = Math.min(input.length - from, 1 + rng.int(256));
  const times = rng.next() < 0.9 ? 1 : 1 + rng.int(64);
  const slice = input.subarray(from, from + len);
  const grown = input.length + slice.length * times;
  if (grown > MAX_INPUT_BYTES) return input;
  const out = new Uint8Array(grown);
  out.set(input.subarray(0, from + len));
  for (let i = 1; i <= times; i++) out.set(slice, from + len * i);
  out.set(input.subarray(from + len), from + len * (times + 1));
  return out;
};

/**
 * Splices a whole pcapng block (or pcap record) of another input in at a
 * block boundary of this one: interface blocks from another section,
 * packets of another link type, a section header in the middle.
 */
const splice: Mutator = (input, rng, corpus) => {
  const other = rng.pick(corpus);
  const donors = recordSpans(other);
  const spots = recordSpans(input);
  if (donors.length === 0 || spots.length === 0) return input;
  const [dFrom, dTo] = rng.pick(donors);
  const at = rng.pick(spots)[rng.int(2)]!;
  if (input.length + (dTo - dFrom) > MAX_INPUT_BYTES) return input;
  const out = new Uint8Array(input.length + (dTo - dFrom));
  out.set(input.subarray(0, at));
  out.set(other.subarray(dFrom, dTo), at);
  out.set(input.subarray(at), at + (dTo - dFrom));
  return out;
};

/** Every link type the decoder reads, and two it does not (160, 0xffff). */
const LINK_TYPES = [...Object.values(LinkType), 160, 0xffff];

/**
 * Relabels the capture (the pcap header) or one pcapng interface with
 * another link type: the same frames then reach the SLL, PPP and raw-IP
 * first layers, which few seeds hold, and the refusal of an unknown one.
 */
const linkType: Mutator = (input, rng) => {
  if (input.length < 24) return input;
  const out = Uint8Array.from(input);
  const v = new DataView(out.buffer);
  const type = rng.pick(LINK_TYPES);
  if (v.getUint32(0, true) === 0x0a0d0d0a) {
    const interfaces = recordSpans(out).filter(([from]) => v.getUint32(from, true) === 1 || v.getUint32(from, false) === 1);
    if (interfaces.length === 0) return input;
    const [from] = rng.pick(interfaces);
    v.setUint16(from + 8, type, v.getUint32(from, true) === 1);
  } else {
    v.setUint16(20, type, v.getUint32(0, true) === 0xa1b2c3d4 || v.getUint32(0, true) === 0xa1b23c4d);
  }
  return out;
};

const MUTATORS: readonly Mutator[] = [
  bitFlip,
  bitFlip,
  byteSet,
  byteSet,
  wordSet,
  lengthField,
  lengthField,
  lengthField,
  truncate,
  deleteRange,
  duplicateRange,
  splice,
  linkType,
];

/** One to four stacked mutations of `input` (AFL's havoc stage, small). */
export function mutate(input: Uint8Array, rng: Rng, corpus: readonly Uint8Array[]): Uint8Array {
  let out = input;
  const n = 1 + rng.int(4);
  for (let i = 0; i < n; i++) out = rng.pick(MUTATORS)(out, rng, corpus);
  return out.length > MAX_INPUT_BYTES ? out.subarray(0, MAX_INPUT_BYTES) : out;
}
