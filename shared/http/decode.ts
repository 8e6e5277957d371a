import type { FastifyReply, FastifyRequest } from 'fastify';
import type * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { setNewest } from '../bounded-map.js';
import type { FieldError } from '../validation/format.js';
import { decodeStrict } from '../validation/strict.js';
import { sendProblem, validationProblem } from './problem.js';

type Part = 'body' | 'query' | 'params';

/**
 * Decoded query strings, per codec, by the raw query string: readers send the same few over and over
 * (every reader of a board asks for the same page), and decoding one is pure. Bounded; only
 * successful decodes are kept, frozen, as handlers share them.
 */
const QUERY_MEMO_MAX = 1_000;
const queryMemos = new WeakMap<object, Map<string, unknown>>();

const rawQueryOf = (request: FastifyRequest): string => {
  const at = request.url.indexOf('?');
  return at < 0 ? '' : request.url.slice(at + 1);
};

const decodeQuery = <A, O>(codec: t.Type<A, O, unknown>, request: FastifyRequest): E.Either<FieldError[], A> => {
  let memo = queryMemos.get(codec);
  if (!memo) queryMemos.set(codec, (memo = new Map<string, unknown>()));
  const raw = rawQueryOf(request);
  const hit = memo.get(raw);
  if (hit !== undefined) return E.right(hit as A);
  const decoded = decodeStrict(codec, request.query ?? {});
  if (E.isRight(decoded)) {
    setNewest(memo, raw, Object.freeze(decoded.right), QUERY_MEMO_MAX);
  }
  return decoded;
};

/**
 * Decodes one part of a request with its codec, refusing unknown properties. On failure the 422
 * problem (with field paths) is already sent and `undefined` comes back: the handler just returns.
 */
export const decodeRequest = <A, O>(codec: t.Type<A, O, unknown>, request: FastifyRequest, reply: FastifyReply, part: Part = 'body'): A | undefined => {
  const decoded = part === 'query' ? decodeQuery(codec, request) : decodeStrict(codec, request[part] ?? (part === 'body' ? undefined : {}));
  if (E.isRight(decoded)) return decoded.right;
  sendProblem(reply, validationProblem(decoded.left, part));
  return undefined;
};

const safeId = /^[A-Za-z0-9._:-]{1,64}$/;

/** The `x-correlation-id` header when it is a sane token, else the request's own id. */
export const correlationIdFrom = (header: unknown, requestId: string): string => (typeof header === 'string' && safeId.test(header) ? header : requestId);

/** The caller's correlation id when it is a sane token, else this request's own id. */
export const correlationIdOf = (request: FastifyRequest): string => correlationIdFrom(request.headers['x-correlation-id'], request.id);
