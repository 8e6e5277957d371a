import { Partitioners } from 'kafkajs';
import { Command, InvalidArgumentError } from 'commander';
import { deadLetterRegister } from '../shared/dead-letters/handled.js';
import { headerText } from '../shared/kafka/event-message.js';
import { jsonOption } from './audit.js';
import { CliError, type CliContext } from './context.js';
import { readTopicToEnd, type TopicMessage } from './kafka-read.js';

type Ref = { readonly partition: number; readonly offset: string };

const ref = (value: string): Ref => {
  const m = /^(?:(\d+):)?(\d+)$/.exec(value);
  if (!m) throw new InvalidArgumentError('expected <offset> or <partition>:<offset> of the dead-letters topic (see `dead-letters list`)');
  return { partition: Number(m[1] ?? 0), offset: m[2] ?? '0' };
};

const describe = (m: TopicMessage) => ({
  partition: m.partition,
  offset: m.offset,
  at: new Date(Number(m.timestamp)).toISOString(),
  projection: headerText(m.headers, 'projection') ?? null,
  origin: {
    topic: headerText(m.headers, 'origin-topic') ?? null,
    partition: Number(headerText(m.headers, 'origin-partition') ?? -1),
    offset: headerText(m.headers, 'origin-offset') ?? null,
  },
  error: headerText(m.headers, 'error') ?? null,
});

/**
 * `sleepsocial dead-letters …`. The topic is read with a fresh consumer group (no projector offset
 * moves); decisions are recorded in MySQL (dead_letters_handled), so `list` shows what is still open.
 */
export const deadLettersCommand = (ctx: CliContext): Command => {
  const command = new Command('dead-letters').description('list, retry or discard messages the projectors could not apply');
  const topic = () => ctx.topics().deadLetters;
  const register = () => deadLetterRegister(ctx.pool());
  const all = () => readTopicToEnd(ctx.kafka(), topic(), ctx.config().PROJECTOR_GROUP_PREFIX);
  const find = async (r: Ref): Promise<TopicMessage> => {
    const found = (await all()).find((m) => m.partition === r.partition && m.offset === r.offset);
    if (!found) throw new CliError(`no dead letter at ${r.partition}:${r.offset} on ${topic()}`);
    return found;
  };

  command
    .command('list')
    .description('every dead letter: where it came from, which projection refused it, why, and whether it was handled')
    .option('--open', 'only those not yet retried or discarded')
    .addOption(jsonOption())
    .action(async (opts: { open?: boolean; json?: boolean }) => {
      const [messages, handled] = await Promise.all([all(), register().handled(topic())]);
      const rows = messages
        .map((m) => ({ ...describe(m), handled: handled.get(register().key(topic(), m.partition, m.offset)) ?? null }))
        .filter((r) => !opts.open || r.handled === null);
      for (const r of rows) {
        await ctx.out(
          opts.json
            ? JSON.stringify(r)
            : `${r.partition}:${r.offset}  ${r.at}  ${r.projection ?? '?'}  from ${r.origin.topic ?? '?'}[${r.origin.partition}]@${r.origin.offset ?? '?'}  ${r.handled ? `[${r.handled.action}]` : '[open]'}  ${r.error ?? ''}`,
        );
      }
      if (!opts.json) await ctx.err(`${rows.length} dead letter(s)${opts.open ? ' open' : ''} on ${topic()}`);
    });

  command
    .command('retry')
    .description(
      'publish a dead letter’s value again to its origin topic and partition, and mark it retried. A projector whose ' +
        'revision guard already stepped over that event ignores the copy: for those, rebuild the projection instead',
    )
    .argument('<ref>', '<offset> or <partition>:<offset> on the dead-letters topic', ref)
    .action(async (r: Ref) => {
      const m = await find(r);
      const d = describe(m);
      if (!d.origin.topic || d.origin.partition < 0) throw new CliError(`dead letter ${r.partition}:${r.offset} does not name its origin`);
      const producer = ctx.kafka().producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      try {
        await producer.send({
          topic: d.origin.topic,
          acks: -1,
          messages: [{ partition: d.origin.partition, key: null, value: m.value, headers: { 'retry-of': register().key(topic(), m.partition, m.offset) } }],
        });
      } finally {
        await producer.disconnect();
      }
      await register().record(topic(), m.partition, m.offset, 'retried', null);
      await ctx.out(`retried ${r.partition}:${r.offset}: published again to ${d.origin.topic}[${d.origin.partition}]`);
    });

  command
    .command('discard')
    .description('mark a dead letter as handled without doing anything with it')
    .argument('<ref>', '<offset> or <partition>:<offset> on the dead-letters topic', ref)
    .option('--note <text>', 'why (kept with the decision)')
    .action(async (r: Ref, opts: { note?: string }) => {
      const m = await find(r);
      await register().record(topic(), m.partition, m.offset, 'discarded', opts.note ?? null);
      await ctx.out(`discarded ${r.partition}:${r.offset}`);
    });

  return command;
};
