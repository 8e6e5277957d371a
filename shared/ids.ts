import { v5 as uuidv5 } from 'uuid';

// Namespace for name-based (v5) ids: the same command id always yields the same event ids, so a
// retried append is recognised by the store instead of written twice.
const NAMESPACE = '6f0d3c1e-5a52-4f4e-9a39-2f7f4a3c9b10';

export const nameBasedId = (...parts: readonly string[]): string => uuidv5(parts.join('\u0000'), NAMESPACE);

/** Random ids come through this port so that tests can make them deterministic. */
export type IdGenerator = () => string;
export const randomIds: IdGenerator = () => crypto.randomUUID();

export type Clock = () => number;
export const systemClock: Clock = () => Date.now();
