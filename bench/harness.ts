/**
 * The measuring core: warm-up, alternating rounds of the sides being compared, medians, ratios,
 * goal checks and the results table. Scenarios only say what one round of each side does.
 */

export type Mode = 'quick' | 'full';

/** How long a comparison runs: one warm-up per side, then `rounds` rounds of every side. */
export type Budget = { readonly warmupMs: number; readonly roundMs: number; readonly rounds: number };

export const BUDGETS: Record<Mode, Budget> = {
  quick: { warmupMs: 1_000, roundMs: 1_000, rounds: 3 },
  full: { warmupMs: 3_000, roundMs: 5_000, rounds: 5 },
};

export type Log = (message: string) => void;

/** What every scenario gets: the budget, a log, and figures earlier scenarios left for later ones. */
export type Context = {
  readonly mode: Mode;
  readonly budget: Budget;
  readonly log: Log;
  readonly figures: Map<string, number>;
};

/**
 * A goal on one row. `ratio ≥` and `ratio ≤` compare ours (A) with the baseline (B) measured in
 * the same run; `≤` is an absolute ceiling on A, `≥` an absolute floor.
 */
export type Goal =
  | { readonly kind: 'ratio-at-least'; readonly value: number }
  | { readonly kind: 'ratio-at-most'; readonly value: number }
  | { readonly kind: 'at-most'; readonly value: number }
  | { readonly kind: 'at-least'; readonly value: number };

export type Row = {
  readonly scenario: string;
  readonly metric: string;
  readonly unit: string;
  /** Ours: the median (or pooled percentile) over the rounds. */
  readonly a?: number;
  /** The baseline, measured the same way in the same run. */
  readonly b?: number;
  readonly goal?: Goal;
  /** Set when the row could not be measured: SKIPPED (with the reason) or ERROR. */
  readonly outcome?: 'SKIPPED' | 'ERROR';
  readonly note?: string;
};

export type Status = 'MET' | 'MISSED' | 'info' | 'SKIPPED' | 'ERROR';

/** One side of a comparison: what one round of it does, returning its result. */
export type Side<R> = { readonly label: string; readonly round: (ms: number) => Promise<R> };

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

/** Nearest-rank percentile (p in 0..100). */
export const percentile = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((x, y) => x - y);
  if (s.length === 0) return Number.NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
};

/**
 * Runs every side once as a warm-up, then `rounds` rounds in which each side runs once. The order
 * rotates from round to round (A B C, B C A, C A B, …) so that a drift of the machine (a noisy
 * neighbour, a compaction, a cache warming) does not favour one side.
 */
export const alternate = async <R>(sides: readonly Side<R>[], budget: Budget, log: Log, show: (r: R) => string): Promise<R[][]> => {
  for (const side of sides) {
    log(`warm-up ${side.label} (${budget.warmupMs} ms)`);
    await side.round(budget.warmupMs);
  }
  const results: R[][] = sides.map(() => []);
  for (let round = 0; round < budget.rounds; round++) {
    const line: string[] = [];
    for (let k = 0; k < sides.length; k++) {
      const index = (round + k) % sides.length;
      const side = sides[index];
      if (!side) continue;
      const result = await side.round(budget.roundMs);
      results[index]?.push(result);
      line.push(`${side.label} ${show(result)}`);
    }
    log(`round ${round + 1}/${budget.rounds}: ${line.join(' | ')}`);
  }
  return results;
};

/** Throughput comparison of sides whose round returns operations per second: the medians. */
export const throughputs = async (sides: readonly Side<number>[], budget: Budget, log: Log): Promise<number[]> =>
  (await alternate(sides, budget, log, (r) => `${fmt(r, 0)}/s`)).map(median);

export const statusOf = (row: Row): Status => {
  if (row.outcome) return row.outcome;
  if (!row.goal || row.a === undefined || Number.isNaN(row.a)) return 'info';
  switch (row.goal.kind) {
    case 'ratio-at-least':
      return row.b !== undefined && row.a / row.b >= row.goal.value ? 'MET' : 'MISSED';
    case 'ratio-at-most':
      return row.b !== undefined && row.a / row.b <= row.goal.value ? 'MET' : 'MISSED';
    case 'at-most':
      return row.a <= row.goal.value ? 'MET' : 'MISSED';
    case 'at-least':
      return row.a >= row.goal.value ? 'MET' : 'MISSED';
  }
};

export const fmt = (n: number | undefined, digits: number): string => {
  if (n === undefined || Number.isNaN(n)) return '–';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
};

const goalText = (row: Row): string => {
  if (!row.goal) return '';
  switch (row.goal.kind) {
    case 'ratio-at-least':
      return `≥ ${row.goal.value}×`;
    case 'ratio-at-most':
      return `≤ ${row.goal.value}×`;
    case 'at-most':
      return `≤ ${row.goal.value} ${row.unit}`;
    case 'at-least':
      return `≥ ${row.goal.value} ${row.unit}`;
  }
};

/** Digits for a value: whole numbers for big rates, one or two decimals for milliseconds. */
const digitsFor = (n: number | undefined): number => (n === undefined ? 0 : Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2);

/** The results as a Markdown table (readable in a terminal, pasteable into docs/benchmarks.md). */
export const table = (rows: readonly Row[]): string => {
  const header = ['Scenario', 'Metric', 'Unit', 'Ours (A)', 'Baseline (B)', 'A/B', 'Goal', 'Status', 'Note'];
  const lines = rows.map((row) => {
    const ratio = row.a !== undefined && row.b !== undefined && row.b !== 0 ? `${fmt(row.a / row.b, 2)}×` : '';
    return [row.scenario, row.metric, row.unit, fmt(row.a, digitsFor(row.a)), fmt(row.b, digitsFor(row.b)), ratio, goalText(row), statusOf(row), row.note ?? ''];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const render = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [render(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(render)].join('\n');
};

/** A benchmark scenario. One without `run` is registered but not written yet (its row says so). */
export type Scenario = {
  readonly id: string;
  readonly title: string;
  readonly run?: (ctx: Context) => Promise<Row[]>;
  /** Why a registered scenario does not run yet. */
  readonly pending?: string;
};

/** Stops what a scenario started, last first, even when the scenario failed half-way. */
export const withCleanup = async <A>(work: (defer: (stop: () => Promise<unknown>) => void) => Promise<A>): Promise<A> => {
  const stops: (() => Promise<unknown>)[] = [];
  try {
    return await work((stop) => stops.push(stop));
  } finally {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => console.error(`cleanup failed: ${String(error)}`));
  }
};
