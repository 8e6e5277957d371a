import underPressure from '@fastify/under-pressure';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Metrics } from '../observability/metrics.js';
import { problem, sendProblem } from './problem.js';
import { registerOpenApi } from './openapi.js';
import { correlationIdFrom } from './decode.js';
import { observeHttp } from './observe.js';
import { lazyChild } from './lazy-logger.js';

/** A named check of one dependency; resolves when it answers, rejects (or times out) when not. */
export type ReadinessCheck = { readonly name: string; readonly check: () => Promise<void> };

export type HttpAppOptions = {
  readonly logger?: FastifyServerOptions['logger'];
  readonly readiness: readonly ReadinessCheck[];
  /** Largest request body accepted, in bytes; larger ones get 413. */
  readonly bodyLimit?: number;
  /** Event-loop delay (ms) past which requests are shed with 503 and Retry-After. */
  readonly maxEventLoopDelayMs?: number;
  /** How often the delay is sampled; it is the mean over this interval (default 1000 ms). */
  readonly pressureSampleIntervalMs?: number;
  /** The process's metrics: request durations are recorded there and served at `GET /metrics`. */
  readonly metrics?: Metrics;
};

/**
 * Never logged, whoever logs them: credentials in headers and bodies, tokens, password hashes.
 * (Fastify's request serializer logs no headers or bodies; this guards every other log call.)
 */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'password',
  '*.password',
  'token',
  '*.token',
  'passwordHash',
  '*.passwordHash',
];

/** pino options for every role: JSON lines, with the paths above censored. */
const loggerOptions = (logger: HttpAppOptions['logger']): FastifyServerOptions['logger'] =>
  logger === undefined || logger === false ? false : { ...(logger === true ? {} : logger), redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' } };

const RETRY_AFTER_SECONDS = 2;

const withTimeout = async (work: Promise<void>, ms: number): Promise<void> => {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
};

const frameworkErrorCode = (error: FastifyError) => {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'PAYLOAD_TOO_LARGE' as const;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'UNSUPPORTED_MEDIA_TYPE' as const;
    default:
      return (error.statusCode ?? 500) < 500 ? ('MALFORMED_REQUEST' as const) : undefined;
  }
};

/**
 * Request ids, unique across processes and restarts (they become the correlation id stored with a
 * command's events when the client sends none): one random UUID per app, then a counter. A fresh
 * UUID per request was 0.7% of the board route's CPU; the counter is a small fraction of that.
 */
const requestIds = (): (() => string) => {
  const base = crypto.randomUUID();
  let sequence = 0;
  return () => `${base}.${(sequence++).toString(36)}`;
};

/**
 * The HTTP shell every role shares: problem+json for every error, `/healthz` and `/readyz`.
 * Sides add their routes as plugins; only the launcher calls `listen`.
 */
export const buildHttpApp = (options: HttpAppOptions): FastifyInstance => {
  const app = Fastify({
    logger: loggerOptions(options.logger),
    // Every line a request logs carries its correlation id, the one its events are stored with.
    childLoggerFactory: (logger, bindings, childOptions, rawRequest) =>
      lazyChild(logger, () => logger.child({ ...bindings, correlationId: correlationIdFrom(rawRequest.headers['x-correlation-id'], String(bindings.reqId)) }, childOptions)),
    bodyLimit: options.bodyLimit ?? 16 * 1024,
    // Idle keep-alive and streaming (SSE) connections must not hold up a graceful shutdown.
    forceCloseConnections: true,
    // Client-supplied ids are echoed into logs; generate our own rather than trust the header.
    genReqId: requestIds(),
    ajv: { customOptions: { removeAdditional: false } },
    // Errors Fastify raises before routing (a malformed %-encoding, an over-long path) are
    // problems like any other, not its default JSON.
    frameworkErrors: (error, _request, reply) => {
      void sendProblem(reply, problem(error.statusCode === 414 ? 'URI_TOO_LONG' : 'MALFORMED_REQUEST', error.message));
    },
  });
  // Declared up front so every request object keeps one shape: a property added later, per
  // request, sends V8 down slower paths for every request after (Fastify's own advice).
  app.decorateRequest('principal', null);
  // Bodies are JSON only: text/plain would otherwise reach the codecs as a string.
  app.removeContentTypeParser('text/plain');
  observeHttp(app, options.metrics);

  // An overloaded process answers 503 with Retry-After at once instead of letting requests time out.
  void app.register(underPressure, {
    maxEventLoopDelay: options.maxEventLoopDelayMs ?? 1_000,
    sampleInterval: options.pressureSampleIntervalMs ?? 1_000,
    retryAfter: RETRY_AFTER_SECONDS,
    pressureHandler: (_request, reply, type) => {
      void sendProblem(reply.header('retry-after', String(RETRY_AFTER_SECONDS)), problem('OVERLOADED', `The server is overloaded (${type}); retry shortly.`));
    },
  });
  registerOpenApi(app);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const code = frameworkErrorCode(error);
    if (code) return sendProblem(reply, problem(code, error.message));
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, problem('INTERNAL', 'An unexpected error occurred; it has been logged.', { requestId: request.id }));
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, problem('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0] ?? ''}`)));

  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const results = await Promise.all(
      options.readiness.map(async ({ name, check }) => {
        try {
          await withTimeout(check(), 2_000);
          return { name, ok: true as const };
        } catch (error) {
          return { name, ok: false as const, error: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    const failing = results.filter((r) => !r.ok);
    const body = { status: failing.length === 0 ? 'ready' : 'not ready', checks: results };
    if (failing.length > 0) {
      return reply
        .code(503)
        .type('application/problem+json')
        .send({ ...problem('DEPENDENCY_UNAVAILABLE', `Not ready: ${failing.map((f) => `${f.name} (${f.error})`).join('; ')}`), ...body });
    }
    return body;
  });
  return app;
};
