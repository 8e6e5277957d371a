import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export type Tracing = { shutdown(): Promise<void> };

/**
 * For process entry points only: registers the OpenTelemetry SDK (AsyncLocalStorage context,
 * W3C propagation) exporting spans over OTLP/HTTP to `endpoint` (OTEL_EXPORTER_OTLP_ENDPOINT,
 * the collector's base URL). An empty endpoint leaves tracing off: every span stays a no-op.
 */
export const startTracing = (endpoint: string, attributes: { readonly serviceName: string; readonly roles: readonly string[] }): Tracing => {
  if (endpoint === '') return { shutdown: () => Promise.resolve() };
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': attributes.serviceName, 'sleepsocial.roles': attributes.roles.join(',') }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` }))],
  });
  provider.register();
  return { shutdown: () => provider.shutdown() };
};
