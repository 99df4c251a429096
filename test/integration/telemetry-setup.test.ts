import * as azureFunctions from '@azure/functions';
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

  it('when Application Insights is configured, then the Azure Functions instrumentation is applied to the @azure/functions the app runs with; otherwise nothing starts', async () => {
    const setup = jest.spyOn(azureFunctions.app, 'setup');
    const logHook = jest.spyOn(azureFunctions.app.hook, 'log');
    const preInvocation = jest.spyOn(azureFunctions.app.hook, 'preInvocation');
    expect(startTelemetry({})).toBeNull();
    expect(setup).not.toHaveBeenCalled();
    const instrumentation = startTelemetry({
      APPLICATIONINSIGHTS_CONNECTION_STRING:
        'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/',
    });
    try {
      expect(instrumentation?.instrumentationName).toBe('@azure/functions-opentelemetry-instrumentation');
      // Patched directly, not through a require hook (which never sees a bundled module): see the deployment
      // package's test for the effect in the bundle (capability, log and preInvocation hooks).
      expect(setup).toHaveBeenCalledWith({ capabilities: { WorkerOpenTelemetryEnabled: true } });
      expect(logHook).toHaveBeenCalledTimes(1);
      expect(preInvocation).toHaveBeenCalledTimes(1);
    } finally {
      jest.restoreAllMocks();
      instrumentation?.disable();
      await shutdownAzureMonitor();
    }
  });
});
