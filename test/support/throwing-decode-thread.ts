import { isMainThread } from 'node:worker_threads';

/**
 * A decode thread that fails with an exception before it takes a job (its
 * Worker emits 'error', then 'exit'). (`node --test` also loads every file
 * under dist/test as a test: there it does nothing.)
 */
if (!isMainThread) throw new Error('the decode thread failed at start');
