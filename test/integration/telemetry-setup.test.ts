import { shutdownAzureMonitor } from '@azure/monitor-opentelemetry';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startTelemetry } from '../../functions/telemetry-setup';

// Host and worker telemetry of one invocation share one operation only with host.json's
// "telemetryMode": "OpenTelemetry" and the Azure Functions instrumentation in the worker
// (https://learn.microsoft.com/azure/azure-functions/opentelemetry-howto).

describe('telemetry in Azure', () => {
  it('when host.json is read, then the host exports with OpenTelemetry', () => {
    const host = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'host.json'), 'utf8')) as {
      telemetryMode?: string;
    };
    expect(host.telemetryMode).toBe('OpenTelemetry');
  });

  it('when Application Insights is configured, then the worker enables the Azure Functions instrumentation; otherwise nothing starts', async () => {
    expect(startTelemetry({})).toBeNull();
    const instrumentation = startTelemetry({
      APPLICATIONINSIGHTS_CONNECTION_STRING:
        'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/',
    });
    try {
      expect(instrumentation?.instrumentationName).toBe('@azure/functions-opentelemetry-instrumentation');
      expect(instrumentation?.isEnabled()).toBe(true);
    } finally {
      instrumentation?.disable();
      await shutdownAzureMonitor();
    }
  });
});
