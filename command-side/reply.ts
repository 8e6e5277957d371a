import type { FastifyReply, FastifyRequest } from 'fastify';
import * as E from 'fp-ts/lib/Either.js';
import type { ErrorCode } from '../shared/errors/codes.js';
import { problem, sendProblem } from '../shared/http/problem.js';
import { correlationIdOf } from '../shared/http/decode.js';
import { principalOf } from '../shared/auth/authenticate.js';
import type { UserCommand } from '../shared/commands/index.js';
import { nameBasedId, type IdGenerator } from '../shared/ids.js';
import type { CommandOutcome, CommandRequest } from './user-stream/handle.js';

/**
 * The command envelope of an authenticated request: the actor is the token's subject, so a user
 * can only ever address their own stream.
 */
export const commandRequestOf = (request: FastifyRequest, command: UserCommand, commandId: string): CommandRequest => {
  const ifMatch = request.headers['if-match'];
  const revision = typeof ifMatch === 'string' ? /^(?:W\/)?"?(-?\d+)"?$/.exec(ifMatch.trim())?.[1] : undefined;
  return {
    userId: principalOf(request).userId,
    command,
    commandId,
    correlationId: correlationIdOf(request),
    causationId: null,
    ...(revision === undefined ? {} : { expectedRevision: Number(revision) }),
  };
};

/**
 * The id of this command: derived from the Idempotency-Key when there is one, so a retry names the
 * same events (and log id), and scoped to the caller, so two users' equal keys never collide.
 */
export const commandIdOf = (request: FastifyRequest, slice: string, ids: IdGenerator): string => {
  const key = request.headers['idempotency-key'];
  return typeof key === 'string' ? nameBasedId(slice, principalOf(request).userId, key) : ids();
};

/** An If-Match that is present but not a revision number is a client error, not "no precondition". */
export const invalidIfMatch = (request: FastifyRequest): boolean => {
  const ifMatch = request.headers['if-match'];
  return typeof ifMatch === 'string' && !/^(?:W\/)?"?(-?\d+)"?$/.test(ifMatch.trim());
};

/** Sends the outcome of a command: the stream revision and global position (read-your-writes token). */
export const sendOutcome = async (
  reply: FastifyReply,
  outcome: E.Either<ErrorCode, CommandOutcome>,
  status: number,
  body: Record<string, unknown> = {},
): Promise<FastifyReply> => {
  if (E.isLeft(outcome)) return sendProblem(reply, problem(outcome.left));
  const { revision, position } = outcome.right;
  return reply.code(status).header('etag', `"${revision}"`).send({ ...body, revision, position });
};
