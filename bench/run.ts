import { testConfig } from '../shared/testing/environment.js';
import { BUDGETS, statusOf, table, type Context, type Mode, type Row } from './harness.js';
import { describeMachine } from './machine.js';
import { scenarios } from './scenarios/index.js';

/**
 * `npm run bench [-- --quick] [-- --only S2,S6]`: each scenario against its baseline in the same
 * run, then one table. Exits 0 when every scenario ran (goals missed or not), 1 when one failed.
 */
const usage = 'usage: npm run bench -- [--quick] [--only S1,S2,...]';
const args = process.argv.slice(2);
let mode: Mode = 'full';
let only: Set<string> | undefined;
for (let i = 0; i < args.length; i++) {
  const arg = args[i] ?? '';
  if (arg === '--quick') mode = 'quick';
  else if (arg === '--only') only = new Set((args[++i] ?? '').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean));
  else if (arg.startsWith('--only=')) only = new Set(arg.slice('--only='.length).split(',').map((s) => s.trim().toUpperCase()).filter(Boolean));
  else {
    console.error(`unknown argument "${arg}"; ${usage}`);
    process.exit(2);
  }
}
const known = new Set(scenarios.map((s) => s.id.toUpperCase()));
const unknown = [...(only ?? [])].filter((id) => !known.has(id));
if (unknown.length > 0) {
  console.error(`unknown scenario ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  process.exit(2);
}

const started = performance.now();
const stamp = () => `[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s]`;
const budget = BUDGETS[mode];

console.log(`# sleepsocial bench, ${mode} mode (warm-up ${budget.warmupMs} ms, ${budget.rounds} rounds of ${budget.roundMs} ms per side, alternating)`);
for (const line of await describeMachine(testConfig('bench_machine'))) console.log(`- ${line}`);

const rows: Row[] = [];
const figures = new Map<string, number>();
let failed = false;
for (const scenario of scenarios) {
  if (only && !only.has(scenario.id.toUpperCase())) continue;
  if (!scenario.run) {
    if (!only) rows.push({ scenario: scenario.id, metric: scenario.title, unit: '', outcome: 'SKIPPED', note: scenario.pending ?? '' });
    continue;
  }
  const ctx: Context = { mode, budget, figures, log: (message) => console.log(`${stamp()} ${scenario.id}: ${message}`) };
  ctx.log(`${scenario.title}`);
  try {
    const result = await scenario.run(ctx);
    rows.push(...result);
    ctx.log(`done`);
  } catch (error) {
    failed = true;
    ctx.log(`FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    rows.push({ scenario: scenario.id, metric: scenario.title, unit: '', outcome: 'ERROR', note: error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error) });
  }
}

console.log('');
console.log(table(rows));
const missed = rows.filter((r) => statusOf(r) === 'MISSED').length;
console.log('');
console.log(`${rows.filter((r) => statusOf(r) === 'MET').length} goals met, ${missed} missed; took ${((performance.now() - started) / 1000).toFixed(0)} s.`);
process.exit(failed ? 1 : 0);
