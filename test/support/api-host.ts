import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalHost, type LocalHostOptions } from '../../local/host';
import { Roles } from '../../shared/domain/roles';
import { apiClient, eventually } from './http-client';
import { loadOpenApi } from './openapi';

const openApi = loadOpenApi();

/**
 * A local host for a test file, with the API's client (each exchange checked against openapi.yaml) and the
 * tokens of the HR system and of an approver; `name` names its state folder.
 */
export async function startApiHost(name: string, options: Partial<LocalHostOptions> = {}) {
  const host = await startLocalHost({
    port: 0,
    stateDir: mkdtempSync(path.join(tmpdir(), `${name}-`)),
    logHandler: () => undefined,
    ...options,
  });
  const api = apiClient(host.url, openApi);
  const hr = await host.token('sirh@example.org', [Roles.hrEventsSend]);
  const chef = await host.token('chef.dsi@example.org', [Roles.onboardingApprove]);
  /** Posts a hire as the HR system does, and answers its onboarding once it is listed. */
  async function hired<T extends { id: string } = { id: string }>(json: Record<string, unknown>): Promise<T> {
    expect((await api.post('/api/hr-events', json, hr)).status).toBe(202);
    const employeeId = (json.employee as { employeeId: string }).employeeId;
    const listed = await eventually(
      () => api.get<{ items: T[] }>(`/api/onboardings?employeeId=${employeeId}`, chef),
      (res) => res.body.items.length > 0,
    );
    return listed.body.items[0]!;
  }
  return { host, api, hr, chef, hired };
}
export type ApiHost = Awaited<ReturnType<typeof startApiHost>>;
