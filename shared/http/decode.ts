import type { FastifyReply, FastifyRequest } from 'fastify';
import type * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { decodeStrict } from '../validation/strict.js';
import { sendProblem, validationProblem } from './problem.js';

type Part = 'body' | 'query' | 'params';

/**
 * Decodes one part of a request with its codec, refusing unknown properties. On failure the 422
 * problem (with field paths) is already sent and `undefined` comes back: the handler just returns.
 */
export const decodeRequest = async <A, O>(
  codec: t.Type<A, O, unknown>,
  request: FastifyRequest,
  reply: FastifyReply,
  part: Part = 'body',
): Promise<A | undefined> => {
  const input: unknown = request[part] ?? (part === 'body' ? undefined : {});
  const decoded = decodeStrict(codec, input);
  if (E.isRight(decoded)) return decoded.right;
  await sendProblem(reply, validationProblem(decoded.left, part));
  return undefined;
};

const safeId = /^[A-Za-z0-9._:-]{1,64}$/;

/** The `x-correlation-id` header when it is a sane token, else the request's own id. */
export const correlationIdFrom = (header: unknown, requestId: string): string => (typeof header === 'string' && safeId.test(header) ? header : requestId);

/** The caller's correlation id when it is a sane token, else this request's own id. */
export const correlationIdOf = (request: FastifyRequest): string => correlationIdFrom(request.headers['x-correlation-id'], request.id);
