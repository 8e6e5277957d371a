import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as E from 'fp-ts/lib/Either.js';
import type { TokenService } from '../../shared/auth/tokens.js';
import { problem, sendProblem } from '../../shared/http/problem.js';
import type { Clock } from '../../shared/ids.js';
import type { IdempotencyStore } from './store.js';

const KEY = /^[\x21-\x7e]{1,255}$/;

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { scope: string; key: string };
  }
}

/** Canonical JSON (sorted keys), so the same body sent with another key order is the same request. */
const canonical = (value: unknown): string =>
  Array.isArray(value)
    ? `[${value.map(canonical).join(',')}]`
    : value !== null && typeof value === 'object'
      ? `{${Object.keys(value)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
          .join(',')}}`
      : JSON.stringify(value) ?? 'null';

const hashOf = (request: FastifyRequest): string =>
  createHash('sha256').update(`${request.method} ${request.url}\n${canonical(request.body ?? null)}`).digest('hex');

/**
 * Idempotency-Key on every write: the first request's status and body are stored (scoped to the
 * caller) and replayed for a repeat, which appends nothing; the same key with another request is
 * 422; a repeat while the first is still running is 409. Answers of 5xx are not stored, so the
 * client can retry those.
 */
export const idempotencyHooks = (app: FastifyInstance, deps: { idempotency: IdempotencyStore; tokens: TokenService; clock: Clock }): void => {
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const key = request.headers['idempotency-key'];
    if (key === undefined || request.method === 'GET') return;
    if (typeof key !== 'string' || !KEY.test(key)) {
      await sendProblem(reply, problem('MALFORMED_REQUEST', 'Idempotency-Key must be 1–255 visible ASCII characters.'));
      return reply;
    }
    // Scope to the token's subject; the route's own authentication still decides access.
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const principal = bearer ? deps.tokens.verify(bearer) : undefined;
    const scope = principal && E.isRight(principal) ? principal.right.userId : `anonymous:${request.routeOptions.url ?? ''}`;
    const reservation = await deps.idempotency.reserve(scope, key, hashOf(request), deps.clock());
    switch (reservation.kind) {
      case 'reserved':
        request.idempotency = { scope, key };
        return;
      case 'replay':
        await reply.code(reservation.response.status).header('idempotent-replayed', 'true').type(reservation.response.contentType).send(reservation.response.body);
        return reply;
      case 'in-progress':
        await sendProblem(reply, problem('IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still being processed.'));
        return reply;
      case 'mismatch':
        await sendProblem(reply, problem('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request.'));
        return reply;
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotency;
    if (!claim) return payload;
    request.idempotency = undefined;
    if (reply.statusCode >= 500 || typeof payload !== 'string') {
      await deps.idempotency.release(claim.scope, claim.key);
    } else {
      const contentType = String(reply.getHeader('content-type') ?? 'application/json');
      await deps.idempotency.complete(claim.scope, claim.key, { status: reply.statusCode, contentType, body: payload });
    }
    return payload;
  });

  // A request that died before sending (connection reset, crash of the handler) frees its key.
  app.addHook('onResponse', async (request) => {
    if (request.idempotency) await deps.idempotency.release(request.idempotency.scope, request.idempotency.key);
  });
};
