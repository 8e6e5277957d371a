import { Command } from 'commander';
import { mysqlCheckpoint } from '../command-side/relay/checkpoint.js';
import { systemClock } from '../shared/ids.js';
import { lagView, type LagView } from '../launcher/operations.js';
import { jsonOption } from './audit.js';
import type { CliContext } from './context.js';

/** The lag view as terminal lines: each hop, then where a write made now would be stuck (if anywhere). */
export const statusLines = (view: LagView, maxProjectorLag: number): string[] => {
  const { relay } = view;
  const stuck: string[] = [];
  if (relay.positions > 0) stuck.push(`relay (${relay.positions} positions, ${relay.seconds.toFixed(1)} s behind the store)`);
  for (const p of view.projections) {
    const partitions = p.partitions.filter((x) => x.lag > 0).map((x) => `partition ${x.partition}: ${x.lag}`);
    if (p.lag > 0) stuck.push(`${p.name} (${partitions.join(', ')})`);
  }
  const lines = [
    `store head    position ${view.storeHead}`,
    `relay         checkpoint ${relay.checkpoint}: ${relay.positions === 0 ? 'caught up' : `${relay.positions} positions, ${relay.seconds.toFixed(1)} s behind`}`,
    ...view.projections.map(
      (p) =>
        `${p.name.padEnd(13)} lag ${String(p.lag).padStart(6)}${p.lag > maxProjectorLag ? ' (NOT READY)' : ''}  per partition: ${p.partitions.map((x) => `${x.partition}:${x.lag}`).join(' ')}`,
    ),
  ];
  lines.push(stuck.length === 0 ? 'a write made now reaches every read model: every hop is caught up' : `a write made now waits behind: ${stuck.join('; ')}`);
  return lines;
};

/**
 * `sleepsocial status`: the operator's lag view (the one /v1/system and /metrics show) in the
 * terminal. Exit code 1 when a projection lags beyond READY_MAX_PROJECTOR_LAG (its projector
 * would answer /readyz with 503).
 */
export const statusCommand = (ctx: CliContext): Command =>
  new Command('status')
    .description('where a write made now stands: store head, relay lag (positions, seconds), each projection’s lag per partition')
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      const config = ctx.config();
      const admin = ctx.kafka().admin();
      await admin.connect();
      ctx.onClose(() => admin.disconnect());
      const view = await lagView({
        config,
        store: ctx.store(),
        checkpoint: mysqlCheckpoint(ctx.pool(), 'user-events'),
        admin: () => Promise.resolve(admin),
        clock: systemClock,
      });
      if (view.projections.some((p) => p.lag > config.READY_MAX_PROJECTOR_LAG)) ctx.exitCode = 1;
      if (opts.json) return ctx.out(JSON.stringify(view));
      for (const line of statusLines(view, config.READY_MAX_PROJECTOR_LAG)) await ctx.out(line);
    });
