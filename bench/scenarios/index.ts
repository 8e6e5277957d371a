import type { Scenario } from '../harness.js';
import { s1 } from './s1-log-sleep.js';
import { s2 } from './s2-append.js';
import { s2p } from './s2p-emmett.js';
import { s3 } from './s3-relay.js';
import { s6 } from './s6-leaderboard.js';
import { s7 } from './s7-write-to-read.js';
import { s7f } from './s7f-feed.js';

/** Every scenario, in the order a full run takes them. A new one is a file here and a line below. */
export const scenarios: readonly Scenario[] = [
  s1,
  s2,
  s2p,
  s3,
  s6,
  s7,
  s7f,
  { id: 'S4', title: 'reserved', pending: 'not written yet (skipped for now by the issue)' },
  { id: 'S5', title: 'reserved', pending: 'not written yet (skipped for now by the issue)' },
  { id: 'S8', title: 'reserved', pending: 'not written yet (skipped for now by the issue)' },
];
