import { ManagedIdentityCredential } from '@azure/identity';
import { useAzureMonitor } from '@azure/monitor-opentelemetry';

// In Azure, when APPLICATIONINSIGHTS_CONNECTION_STRING is set: traces, metrics and logs to Azure Monitor,
// sent with the managed identity (local auth is disabled on Application Insights). Imported first by
// functions/index.ts, so that the SDKs loaded after it are instrumented.
const connectionString = process.env.APPLICATIONINSIGHTS_CONNECTION_STRING;
if (connectionString) {
  const clientId = process.env.AZURE_CLIENT_ID;
  useAzureMonitor({
    azureMonitorExporterOptions: {
      connectionString,
      credential: new ManagedIdentityCredential(clientId ? { clientId } : {}),
    },
  });
}
