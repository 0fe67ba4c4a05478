import type { DecodedFrame } from '../decode/decoded-frame.js';
import { AnycastEvidence } from './inference-evidence.js';
import { decideAnycast, type InferenceResult, type KnownAddresses } from './inference-decide.js';

export type { InferenceMissing, InferenceResult, InferenceSignal, InferenceSignalKind, InferredAnycast } from './inference-decide.js';

/**
 * Without configuration, find the anycast addresses in the capture itself,
 * IPv4 and IPv6: one evidence model fed by every signal the wire carries
 * (inference-evidence.ts: ARP, NDP, RA, DHCP and traffic), read by one set
 * of rules (inference-decide.ts) that say how sure they are and why, and
 * refuse to pick where the frames cannot tell.
 */
export class AnycastInference {
  private readonly evidence = new AnycastEvidence();

  /**
   * Moves whenever a decision may have changed (answers, own addresses,
   * DHCP/RA namings): a caller following the inference as frames arrive
   * decides again only when this moved.
   */
  get version(): number {
    return this.evidence.version;
  }

  /** Moves when traffic evidence grew; a follower reads it less often (it moves with many frames). */
  get trafficVersion(): number {
    return this.evidence.trafficVersion;
  }

  /** ARP, NDP, RA and DHCP frames (the others are ignored cheaply). */
  observe(d: DecodedFrame): void {
    this.evidence.observe(d);
  }

  /** Every frame, while the caller can still judge again from frame 1 (see AnycastEvidence.observeTraffic). */
  observeTraffic(d: DecodedFrame): void {
    this.evidence.observeTraffic(d);
  }

  /** The decision now; with `known`, only the anycast MAC of those addresses. */
  decide(known?: KnownAddresses): InferenceResult {
    return decideAnycast(this.evidence, known);
  }
}
