/**
 * main.ts's first import, so this runs before the CLI's other modules are
 * evaluated: `anycast-probe analyze …` starts its decode thread booting
 * while the rest of the CLI loads (see decode-thread-start.ts).
 */
import { prestartDecodeThread } from './decode-thread-start.js';

prestartDecodeThread(process.argv.slice(2));
