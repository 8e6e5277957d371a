import { Command, InvalidArgumentError, Option } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import type { UserId } from '../shared/events/index.js';
import type { Break, StreamVerdict } from '../shared/event-store/audit/verify.js';
import { userHistory, type HistoryEntry } from '../audit/history.js';
import { IsoInstant, parseAt, userEventTypes, type At } from '../audit/instants.js';
import { userStateAt } from '../audit/state-at.js';
import { resolveUser, userStreamOf } from '../audit/users.js';
import { CliError, type CliContext } from './context.js';

const instant = (value: string) => {
  const decoded = IsoInstant.decode(value);
  if (E.isLeft(decoded)) throw new InvalidArgumentError('expected an ISO 8601 date or instant with a zone, e.g. 2026-11-21T08:00:00Z');
  return decoded.right;
};
const wholeNumber = (value: string) => {
  if (!/^\d{1,15}$/.test(value)) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
};
export const jsonOption = () => new Option('--json', 'machine-readable output: JSON, or JSON Lines for streams of events');

const userOf = async (ctx: CliContext, ref: string): Promise<UserId> => {
  const userId = await resolveUser(ctx.store(), ref);
  if (!userId) throw new CliError(`no user "${ref}" (give a user id or a handle)`);
  return userId;
};

const clip = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);

const historyLine = (e: HistoryEntry) =>
  `${String(e.revision).padStart(5)}  ${String(e.position).padStart(9)}  ${e.recordedAt}  ${e.type.padEnd(18)}  ${clip(JSON.stringify(e.data), 90)}`;

export const breakText = (b: Break) =>
  `BROKEN ${b.streamId} at revision ${b.revision}${b.position === null ? '' : ` (position ${b.position})`}: ${b.reason} — ${b.detail}`;

const verdictText = (v: StreamVerdict) =>
  v.broken ? breakText(v.broken) : `intact: ${v.streamId}, ${v.events} event(s)${v.legacy > 0 ? `, of which ${v.legacy} predate hashing and are not covered` : ''}`;

/** `sleepsocial audit …`: what happened, what the state was, and whether the log is untouched. */
export const auditCommand = (ctx: CliContext): Command => {
  const audit = new Command('audit').description('read and verify the event store as an auditor');

  audit
    .command('history')
    .description('the events of one user, oldest first (filtered by recording time and type)')
    .argument('<user>', 'user id or handle')
    .option('--from <iso>', 'only events recorded at or after this instant', instant)
    .option('--to <iso>', 'only events recorded at or before this instant', instant)
    .addOption(new Option('--type <EventType>', 'only events of this type').choices(userEventTypes))
    .addOption(jsonOption())
    .action(async (ref: string, opts: { from?: ReturnType<typeof instant>; to?: ReturnType<typeof instant>; type?: string; json?: boolean }) => {
      const userId = await userOf(ctx, ref);
      const entries = await userHistory(ctx.store(), userId, opts);
      if (opts.json) {
        for (const e of entries) await ctx.out(JSON.stringify({ userId, ...e }));
        return;
      }
      await ctx.out(`${userStreamOf(userId)}: ${entries.length} event(s)`);
      await ctx.out(`${'rev'.padStart(5)}  ${'position'.padStart(9)}  ${'recorded at'.padEnd(24)}  ${'type'.padEnd(18)}  data`);
      for (const e of entries) await ctx.out(historyLine(e));
    });

  audit
    .command('state')
    .description('the state of one user as it stood at a revision or an instant (the command side’s own fold)')
    .argument('<user>', 'user id or handle')
    .requiredOption('--at <iso|revision>', 'a stream revision (whole number) or an ISO 8601 instant (recording time)', (value: string) => {
      const at = parseAt(value);
      if (E.isLeft(at)) throw new InvalidArgumentError(at.left);
      return at.right;
    })
    .addOption(jsonOption())
    .action(async (ref: string, opts: { at: At; json?: boolean }) => {
      const userId = await userOf(ctx, ref);
      const result = await userStateAt(ctx.store(), userId, opts.at);
      if (opts.json) return ctx.out(JSON.stringify(result));
      await ctx.out(
        result.revision < 0
          ? `${userStreamOf(userId)}: nothing recorded by then`
          : `${userStreamOf(userId)} as of revision ${result.revision} (position ${result.position}, recorded ${result.recordedAt})`,
      );
      await ctx.out(JSON.stringify(result.state, null, 2));
    });

  audit
    .command('export')
    .description('the whole log as JSON Lines (one event per line, with its hash), in global order, in constant memory')
    .option('--from-position <n>', 'start after this global position', wholeNumber, 0)
    .option('--to-position <n>', 'stop at this global position (inclusive)', wholeNumber)
    .addOption(jsonOption().hideHelp())
    .action(async (opts: { fromPosition: number; toPosition?: number }) => {
      let count = 0;
      let last = opts.fromPosition;
      for await (const e of ctx.audit().eventsFrom(opts.fromPosition, opts.toPosition)) {
        const record = { position: e.position, streamId: e.streamId, revision: e.revision, type: e.type, recordedAt: e.recordedAt, hash: e.hash };
        // Data and metadata are the stored JSON text, spliced in as is: no re-encoding on the way out.
        const line = `${JSON.stringify(record).slice(0, -1)},"data":${e.data},"metadata":${e.metadata}}`;
        await ctx.out(line);
        count++;
        last = e.position;
      }
      await ctx.err(`exported ${count} event(s), positions ${opts.fromPosition + 1}..${last}`);
    });

  audit
    .command('verify')
    .description('recompute hash chains and name the first broken event (exit code 1 when anything is broken)')
    .argument('[user]', 'user id or handle (or --all)')
    .option('--all', 'every stream of the store, in keyset pages')
    .addOption(jsonOption())
    .action(async (ref: string | undefined, opts: { all?: boolean; json?: boolean }) => {
      if (!ref && !opts.all) throw new CliError('name a user or pass --all', 2);
      if (ref && opts.all) throw new CliError('name a user or pass --all, not both', 2);
      if (ref) {
        const verdict = await ctx.audit().verifyStream(userStreamOf(await userOf(ctx, ref)));
        if (verdict.broken) ctx.exitCode = 1;
        return ctx.out(opts.json ? JSON.stringify({ intact: verdict.broken === null, ...verdict }) : verdictText(verdict));
      }
      const summary = await ctx.audit().verifyAll();
      if (summary.brokenStreams > 0) ctx.exitCode = 1;
      if (opts.json) return ctx.out(JSON.stringify({ intact: summary.brokenStreams === 0, ...summary }));
      for (const b of summary.broken) await ctx.out(breakText(b));
      if (summary.brokenStreams > summary.broken.length) await ctx.out(`… and ${summary.brokenStreams - summary.broken.length} more broken stream(s)`);
      const legacy = summary.legacy > 0 ? `; ${summary.legacy} event(s) predate hashing and are not covered` : '';
      await ctx.out(`${summary.brokenStreams === 0 ? 'intact' : 'BROKEN'}: ${summary.streams} stream(s), ${summary.events} event(s), ${summary.brokenStreams} broken${legacy}`);
    });

  audit
    .command('heads')
    .description('every stream’s head (stream, revision, head hash): keep it, and check the store against it later')
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      for await (const h of ctx.audit().heads()) {
        await ctx.out(opts.json ? JSON.stringify({ stream: h.streamId, revision: h.revision, headHash: h.headHash }) : `${h.streamId}\t${h.revision}\t${h.headHash ?? '-'}`);
      }
    });

  return audit;
};
