import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../shared/testing/environment.js';
import type { LagView } from '../../launcher/operations.js';
import { runCli } from '../../cli/main.js';
import { envOf } from '../../cli/testing.js';
import { caughtUp, logSleep, register, startSystem, type Running } from './support.js';

// `sleepsocial status` against a running system: the same lag view as /v1/system and /metrics.
let run: Running;
let token: string;

beforeAll(async () => {
  run = await startSystem('obs_status');
  ({ token } = await register(run.system.app, 'status_ada'));
  await caughtUp(run.system.app);
});

afterAll(async () => {
  await run?.stop();
});

const status = async (...args: string[]) => {
  const chunks: string[] = [];
  const out = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const code = await runCli(['status', ...args], { out, err: out, env: { ...envOf(run.config), READY_MAX_PROJECTOR_LAG: '1' }, interactive: false });
  return { code, text: chunks.join('') };
};

describe('sleepsocial status', () => {
  it('says when every hop is caught up', async () => {
    const { code, text } = await status();
    expect(code, text).toBe(0);
    expect(text).toMatch(/^store head {4}position \d+$/m);
    expect(text).toMatch(/^relay {9}checkpoint \d+: caught up$/m);
    expect(text).toMatch(/^feeds {9}lag {6}0 {2}per partition: 0:0 1:0 2:0$/m);
    expect(text).toContain('a write made now reaches every read model: every hop is caught up');
  });

  it('names the projections a write waits behind, by partition, and fails beyond the readiness threshold', async () => {
    await Promise.all(run.system.projectors.map((p) => p.stop()));
    for (const day of ['10', '11']) {
      expect((await logSleep(run.system.app, token, { startedAt: `2026-08-${day}T00:00:00+02:00`, endedAt: `2026-08-${day}T07:00:00+02:00` })).statusCode).toBe(201);
    }
    const json = await eventually(async () => {
      const r = await status('--json');
      const view = JSON.parse(r.text) as LagView;
      return view.relay.positions === 0 && view.projections.every((p) => p.lag === 2) ? { ...r, view } : undefined;
    });
    expect(json.code).toBe(1);
    const { code, text } = await status();
    expect(code).toBe(1);
    expect(text).toMatch(/^tables {8}lag {6}2 \(NOT READY\)/m);
    expect(text).toMatch(/a write made now waits behind: leaderboards \(partition \d: 2\); feeds \(partition \d: 2\); tables \(partition \d: 2\)/);
  });

  it('shows the relay behind the store, in positions and seconds', async () => {
    await run.system.relay?.stop();
    expect((await logSleep(run.system.app, token, { startedAt: '2026-08-12T00:00:00+02:00', endedAt: '2026-08-12T07:00:00+02:00' })).statusCode).toBe(201);
    const { text } = await status();
    expect(text).toMatch(/^relay {9}checkpoint \d+: 1 positions, \d+\.\d s behind$/m);
    expect(text).toMatch(/waits behind: relay \(1 positions, \d+\.\d s behind the store\)/);
  });
});
