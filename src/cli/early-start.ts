/**
 * Loaded by the bin shim before the CLI's bundle, and main.ts's first
 * import: `anycast-probe analyze …` starts its decode thread booting while
 * the rest of the CLI loads (see decode-thread-start.ts). A module is
 * evaluated once, so it starts one thread either way.
 */
import { prestartDecodeThread } from '../pipeline/decode-thread-start.js';

prestartDecodeThread(process.argv.slice(2));
