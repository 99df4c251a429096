import { GRAPH_APPLICATION_PERMISSIONS } from '../../shared/adapters/graph/graph-permissions';
import { startApiHost, type ApiHost } from '../support/api-host';

// GET /api/health/ready through the local host, each answer validated against openapi.yaml: what the deployment's
// smoke test calls (.github/workflows/deploy.yml), where /api/health would pass with broken roles.

describe('readiness over HTTP', () => {
  let ready: ApiHost;
  let ungranted: ApiHost;
  const logs: string[] = [];
  beforeAll(async () => {
    ready = await startApiHost('ready');
    // The identity's Graph grant never ran in full: one permission of the table is missing.
    ungranted = await startApiHost('ungranted', {
      tenant: { grantedPermissions: GRAPH_APPLICATION_PERMISSIONS.filter((p) => p !== 'LicenseAssignment.Read.All') },
      logHandler: (_level, ...args) => logs.push(args.map(String).join(' ')),
    });
  });
  afterAll(async () => {
    await ready.host.stop();
    await ungranted.host.stop();
  });

  it('when every dependency answers with the roles the service needs, then 200 ready, anonymously', async () => {
    const res = await ready.api.get('/api/health/ready');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready' });
  });

  it('when a Microsoft Graph permission was not granted, then 503 problem+json with Retry-After, saying nothing of what failed; the log names it', async () => {
    const res = await ungranted.api.get('/api/health/ready');
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('retry-after')).toBe('30');
    expect(JSON.stringify(res.body)).not.toMatch(/graph|LicenseAssignment|permission|cosmos/i);
    expect(logs.join('\n')).toContain('readiness: graph is not ready');
    expect(logs.join('\n')).toContain('LicenseAssignment.Read.All');
    // Liveness knows nothing of it.
    expect((await ungranted.api.get('/api/health')).status).toBe(200);
  });
});
