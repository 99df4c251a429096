import * as azureFunctions from '@azure/functions';
import { AzureFunctionsInstrumentation } from '@azure/functions-opentelemetry-instrumentation';
import { ManagedIdentityCredential } from '@azure/identity';
import { useAzureMonitor } from '@azure/monitor-opentelemetry';
import { trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { RedactingLogRecordProcessor, RedactingSpanProcessor } from '../shared/telemetry/redaction';

/**
 * In Azure, when APPLICATIONINSIGHTS_CONNECTION_STRING is set: traces, metrics and logs to Azure Monitor,
 * sent with the managed identity (local auth is disabled on Application Insights). With host.json's
 * `"telemetryMode": "OpenTelemetry"`, the Functions host exports its own telemetry the same way; the
 * Azure Functions instrumentation tells the host that the worker sends its logs itself (no duplicates)
 * and runs each handler in the host's trace context, so host and worker telemetry of one invocation
 * share one operation (https://learn.microsoft.com/azure/azure-functions/opentelemetry-howto).
 * Imported first by functions/index.ts, so that the modules loaded after it (@azure/functions among
 * them) are instrumented. Answers the instrumentation, or null when telemetry is off.
 */
export function startTelemetry(env: NodeJS.ProcessEnv = process.env): AzureFunctionsInstrumentation | null {
  const connectionString = env.APPLICATIONINSIGHTS_CONNECTION_STRING;
  if (!connectionString) return null;
  const clientId = env.AZURE_CLIENT_ID;
  useAzureMonitor({
    azureMonitorExporterOptions: {
      connectionString,
      credential: new ManagedIdentityCredential(clientId ? { clientId } : {}),
    },
    // Outgoing HTTP (Graph, Teams) and the Azure SDKs (Cosmos DB, Service Bus): what this app calls. No database
    // driver of the distro's list is in it, so none of their instrumentations is started (a cold start makes each).
    instrumentationOptions: {
      http: { enabled: true },
      azureSdk: { enabled: true },
      mongoDb: { enabled: false },
      mySql: { enabled: false },
      postgreSql: { enabled: false },
      redis: { enabled: false },
      redis4: { enabled: false },
      bunyan: { enabled: false },
      winston: { enabled: false },
    },
    // No personal data or secret leaves in a span attribute or a log line (shared/telemetry/redaction.ts).
    spanProcessors: [new RedactingSpanProcessor()],
    logRecordProcessors: [new RedactingLogRecordProcessor()],
  });
  // Not enabled through its require hook: in the deployment package @azure/functions is inside one bundle
  // (cli/package-functions.ts), which no require-in-the-middle hook ever sees. Its patch is applied to the
  // @azure/functions this code runs with, once, as @azure/monitor-opentelemetry applies the Azure SDK's
  // (ensureAzureSdkTracingBridge): the host capability WorkerOpenTelemetryEnabled, the log hook, the trace context
  // of each invocation.
  const instrumentation = new AzureFunctionsInstrumentation({ enabled: false });
  instrumentation.setTracerProvider(trace.getTracerProvider());
  instrumentation.setLoggerProvider(logs.getLoggerProvider());
  for (const definition of instrumentation.getModuleDefinitions()) {
    if (definition.name === '@azure/functions') definition.patch?.(azureFunctions);
  }
  return instrumentation;
}

startTelemetry();
