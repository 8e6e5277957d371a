import type { Scenario } from '../harness.js';
import { s1 } from './s1-log-sleep.js';
import { s2 } from './s2-append.js';
import { s2p } from './s2p-emmett.js';
import { s3 } from './s3-relay.js';
import { s4 } from './s4-redis-projector.js';
import { s5 } from './s5-mysql-projector.js';
import { s6 } from './s6-leaderboard.js';
import { s7 } from './s7-write-to-read.js';
import { s7f } from './s7f-feed.js';
import { s8 } from './s8-rebuild.js';

/** Every scenario, in the order a full run takes them. A new one is a file here and a line below. */
export const scenarios: readonly Scenario[] = [
  s1,
  s2,
  s2p,
  s3,
  s4,
  s5,
  s6,
  s7,
  s7f,
  s8,
];
