import * as t from 'io-ts';
import { pipe } from 'fp-ts/lib/function.js';
import * as E from 'fp-ts/lib/Either.js';
import { UserEvent, type UtcInstant } from '../shared/events/index.js';

const isoPattern = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/** An ISO 8601 date or instant with a zone (`2026-11-21`, `2026-11-21T08:00:00+01:00`), as UTC. */
export const IsoInstant = new t.Type<UtcInstant, string, unknown>(
  'IsoInstant',
  (u): u is UtcInstant => typeof u === 'string',
  (u, c) =>
    pipe(
      t.string.validate(u, c),
      E.chain((s) => {
        const ms = isoPattern.test(s) ? Date.parse(s) : NaN;
        return Number.isNaN(ms) ? t.failure(u, c, 'expected an ISO 8601 date or instant with a zone') : t.success(new Date(ms).toISOString() as UtcInstant);
      }),
    ),
  String,
);

/** The event types of a user stream, from the codecs (nothing written twice). */
export const userEventTypes: readonly string[] = UserEvent.types.map((codec) => codec.type.props.type.value);

/** `--at`: a revision of the stream (a whole number) or an instant. */
export type At = { readonly revision: number } | { readonly time: UtcInstant };

export const parseAt = (s: string): E.Either<string, At> => {
  if (/^\d{1,15}$/.test(s)) return E.right({ revision: Number(s) });
  const time = IsoInstant.decode(s);
  return E.isRight(time) ? E.right({ time: time.right }) : E.left(`"${s}" is neither a revision (a whole number) nor an ISO 8601 instant`);
};

export const AtParam = new t.Type<At, string, unknown>(
  'At',
  (u): u is At => typeof u === 'object' && u !== null,
  (u, c) => pipe(t.string.validate(u, c), E.chain((s) => pipe(parseAt(s), E.fold((message) => t.failure<At>(u, c, message), (at) => t.success(at))))),
  (at) => ('revision' in at ? String(at.revision) : at.time),
);
