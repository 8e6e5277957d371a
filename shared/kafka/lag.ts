import type { Admin } from 'kafkajs';

export type PartitionLag = { readonly partition: number; readonly committed: number; readonly high: number; readonly lag: number };

/**
 * How far a consumer group is behind the end of a topic, per partition. A group that never
 * committed counts from the partition's low watermark.
 */
export const consumerLag = async (admin: Admin, groupId: string, topic: string): Promise<PartitionLag[]> => {
  const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
  const byPartition = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  return ends
    .map((end) => {
      const high = Number(end.high);
      const offset = byPartition.get(end.partition) ?? -1;
      const from = offset >= 0 ? offset : Number(end.low);
      return { partition: end.partition, committed: offset, high, lag: Math.max(0, high - from) };
    })
    .sort((a, b) => a.partition - b.partition);
};
