import type { DecodedFrame } from '../decode/decoded-frame.js';
import type { AnycastConfig } from './config.js';
import type { FindingStore } from './findings.js';
import type { GatewayRegistry } from './gateways.js';
import type { AnycastAddresses } from './anycast-addresses.js';

/** Shared state every detector reads: the configuration, known gateways, where findings go, capture time. */
export interface DetectContext {
  readonly config: AnycastConfig;
  readonly anycast: AnycastAddresses;
  readonly gateways: GatewayRegistry;
  readonly findings: FindingStore;
  /** Capture time of the current frame in seconds (float; windows only — findings keep exact sec/nsec). */
  now: number;
}

/**
 * One detector: created once per analysis, `observe` called for every
 * decoded frame in capture order, `finish` once at the end. The frame
 * decoder is reused for the next frame: copy the numbers you keep, never
 * the decoder or its bytes. A detector returns early for frames it does
 * not care about, reads decoded fields only (never bytes), and never
 * touches the terminal.
 */
export interface Detector {
  readonly id: string;
  readonly description: string;
  readonly docs: string;
  observe(frame: DecodedFrame, ctx: DetectContext): void;
  finish(ctx: DetectContext): void;
}
