import { isMainThread } from 'node:worker_threads';

/**
 * A decode thread that dies at once, without a result and without closing
 * the ring (as a thread that ran out of memory would): the analysis thread
 * must end with an error, neither hang nor exit silently. (`node --test`
 * also loads every file under dist/test as a test: there it does nothing.)
 */
if (!isMainThread) process.exit(3);
