import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest, RouteHandlerMethod } from 'fastify';
import type { Metrics } from '../observability/metrics.js';
import { contextOf, tracer, tracingOn } from '../observability/tracing.js';
import { correlationIdOf } from './decode.js';

/** Probes and scrapes are measured but not traced: a span per scrape would drown the real ones. */
const UNTRACED = new Set(['/metrics', '/healthz', '/readyz']);

/** The route pattern (`/v1/users/:userId`), never the raw URL: label values stay a bounded set. */
const routeOf = (request: FastifyRequest): string => request.routeOptions.url ?? 'unmatched';

/**
 * Metrics and traces for every request: `http_request_duration_seconds{method,route,status_code}`,
 * `GET /metrics` (when the process has a registry), and a server span per request — continuing the
 * caller's `traceparent` — that is the active context while the route handler runs, so command and
 * append spans nest in it. Call before any route is added (the handler wrapping is an onRoute hook),
 * and after the tracing SDK is registered, as `launcher/main.ts` does: without one, the span hooks
 * are not added at all. With nothing to trace they still cost every request ~10 µs of CPU (the
 * board route, two query APIs loaded at once): a hook call, a WeakMap lookup around the handler,
 * and the 'close' listener Fastify adds to every request for an onRequestAbort hook.
 */
export const observeHttp = (app: FastifyInstance, metrics: Metrics | undefined): void => {
  if (tracingOn()) traceRequests(app);
  if (metrics) {
    app.addHook('onResponse', (request, reply, done) => {
      metrics.httpDuration.record(request.method, routeOf(request), reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
    );
  }
};

const traceRequests = (app: FastifyInstance): void => {
  const spans = new WeakMap<FastifyRequest, Span>();

  app.addHook('onRequest', (request, _reply, done) => {
    const route = routeOf(request);
    if (!UNTRACED.has(route)) {
      const parent = request.headers.traceparent;
      const span = tracer().startSpan(
        `${request.method} ${route}`,
        {
          kind: SpanKind.SERVER,
          attributes: { 'http.request.method': request.method, 'http.route': route, 'sleepsocial.correlation_id': correlationIdOf(request) },
        },
        contextOf(typeof parent === 'string' ? parent : undefined),
      );
      spans.set(request, span);
    }
    done();
  });

  // Hooks run outside the handler's async context, so the span is made active around the handler itself.
  app.addHook('onRoute', (route) => {
    const handler = route.handler as RouteHandlerMethod;
    route.handler = function (this: FastifyInstance, request, reply) {
      const span = spans.get(request);
      return span ? context.with(trace.setSpan(context.active(), span), () => handler.call(this, request, reply)) : handler.call(this, request, reply);
    };
  });

  const endSpan = (request: FastifyRequest, status: number | undefined) => {
    const span = spans.get(request);
    if (!span) return;
    spans.delete(request);
    if (status === undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: 'client aborted the request' });
    else {
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  };

  app.addHook('onResponse', (request, reply, done) => {
    endSpan(request, reply.statusCode);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    endSpan(request, undefined);
    done();
  });
};
