import type { FastifyInstance, FastifySchema } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type * as t from 'io-ts';
import { toJsonSchema } from './json-schema.js';

type RouteDoc = {
  readonly summary: string;
  readonly tags: readonly string[];
  readonly auth?: boolean;
  readonly body?: t.Mixed;
  readonly params?: t.Mixed;
  readonly querystring?: t.Mixed;
  /** The 200 answer: documented, and serialised by Fastify's compiled serializer from this schema. */
  readonly response?: t.Mixed;
};

/**
 * A route's OpenAPI description, derived from the same io-ts codecs that decode its input. Fastify
 * does not validate with these (see `documentOnly`): decoding stays with io-ts, in one place.
 */
export const routeSchema = (doc: RouteDoc): FastifySchema => ({
  summary: doc.summary,
  tags: [...doc.tags],
  ...(doc.auth ? { security: [{ bearer: [] }] } : {}),
  ...(doc.body ? { body: toJsonSchema(doc.body) } : {}),
  ...(doc.params ? { params: toJsonSchema(doc.params) } : {}),
  ...(doc.querystring ? { querystring: toJsonSchema(doc.querystring) } : {}),
  ...(doc.response ? { response: { 200: toJsonSchema(doc.response) } } : {}),
});

/** Serves the OpenAPI document at /docs/json and a browsable UI at /docs. Register before routes. */
export const registerOpenApi = (app: FastifyInstance): void => {
  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Sleepsocial API', version: '1', description: 'Commands and queries of the Sleepsocial backend. Errors are application/problem+json.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
  });
  void app.register(swaggerUi, { routePrefix: '/docs' });
  // The schemas are documentation only: io-ts decodes every input (with field paths and the
  // refusal of unknown properties), so Fastify's own validation is switched off.
  app.setValidatorCompiler(() => () => true);
};
