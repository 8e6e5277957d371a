import { loadConfigOrExit } from '../shared/config/index.js';
import { startTracing } from '../shared/observability/tracing-sdk.js';
import { prepare } from './infrastructure.js';
import { parseRoles, ROLES } from './roles.js';
import { buildSystem } from './system.js';

const roles = parseRoles(process.argv.slice(2));
if (typeof roles === 'string') {
  console.error(roles);
  process.exit(2);
}
const config = loadConfigOrExit();
// Off (no-op spans) unless OTEL_EXPORTER_OTLP_ENDPOINT is set; registered before anything is built.
const tracing = startTracing(config.OTEL_EXPORTER_OTLP_ENDPOINT, {
  serviceName: roles.length === ROLES.length ? 'sleepsocial' : `sleepsocial-${roles.join('+')}`,
  roles,
});
const system = buildSystem(config, roles, { level: config.LOG_LEVEL });
const log = system.app.log;

try {
  await prepare(config, (level, message, extra = {}) => log[level](extra, message));
  await system.start();
  const address = await system.app.listen({ port: config.PORT, host: config.HOST });
  log.info(
    { roles, address, health: `${address}/healthz`, readiness: `${address}/readyz`, database: config.MYSQL_DATABASE, kafka: config.KAFKA_BROKERS.join(',') },
    `sleepsocial is up (${roles.join(', ')}). Check ${address}/readyz; logs are JSON on stdout.`,
  );
} catch (error) {
  log.fatal({ err: error }, 'start-up failed');
  await system.stop().catch(() => undefined);
  process.exit(1);
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping (finishing in-flight work)`);
    system
      .stop()
      .then(() => tracing.shutdown()) // flushes the spans still buffered
      .then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error }, 'stop failed');
          process.exit(1);
        },
      );
  });
}
