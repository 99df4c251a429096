import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { STATE_FILE } from '../../local/durable-state';
import { startLocalHost } from '../../local/host';
import { Roles } from '../../shared/domain/roles';
import { buildHireJson } from '../support/factories';
import { apiClient, eventually } from '../support/http-client';

const root = path.resolve(__dirname, '..', '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const run = promisify(execFile);
const quiet = () => undefined;

describe('the local commands', () => {
  it('when `token` runs before the host ever started, then it prints one line that the host accepts later', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'token-'));
    const { stdout } = await run(
      tsx,
      ['local/token-cli.ts', '--user', 'audit@example.org', '--roles', 'Onboarding.Read,Inventory.Manage'],
      {
        cwd: root,
        env: { ...process.env, LOCAL_STATE_DIR: stateDir },
      },
    );
    const lines = stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const [header, payload] = lines[0]!
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>);
    expect(header).toMatchObject({ alg: 'RS256' });
    expect(payload).toMatchObject({
      preferred_username: 'audit@example.org',
      roles: ['Onboarding.Read', 'Inventory.Manage'],
    });
    for (const claim of ['oid', 'aud', 'iss', 'exp']) expect(payload).toHaveProperty(claim);

    const host = await startLocalHost({ port: 0, stateDir, logHandler: quiet });
    try {
      expect((await apiClient(host.url).get('/api/onboardings', lines[0])).status).toBe(200);
    } finally {
      await host.stop();
    }
  });

  it('when `token --app` runs, then it prints an application token (idtyp app, azp, no username) that may post HR events', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'token-app-'));
    const { stdout } = await run(tsx, ['local/token-cli.ts', '--app', 'sirh', '--roles', 'HrEvents.Send'], {
      cwd: root,
      env: { ...process.env, LOCAL_STATE_DIR: stateDir },
    });
    const token = stdout.trim();
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(payload).toMatchObject({ idtyp: 'app', roles: ['HrEvents.Send'] });
    expect(payload.azp).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload.oid).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload).not.toHaveProperty('preferred_username');
    expect(payload).not.toHaveProperty('upn');
    const host = await startLocalHost({ port: 0, stateDir, logHandler: quiet });
    try {
      const api = apiClient(host.url);
      expect((await api.post('/api/hr-events', buildHireJson(), token)).status).toBe(202);
      expect((await api.get('/api/onboardings', token)).status).toBe(403);
    } finally {
      await host.stop();
    }
  });

  it('when a cancellation was set aside (no onboarding yet), then `npm run dlq` lists it with its reason, and resubmitting it after the hire cancels the onboarding', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'dlq-'));
    const host = await startLocalHost({ port: 0, stateDir, logHandler: quiet });
    const dlq = (...args: string[]) =>
      run(tsx, ['cli/dlq.ts', ...args, '--url', host.url], {
        cwd: root,
        env: { ...process.env, LOCAL_STATE_DIR: stateDir },
      });
    try {
      const hire = buildHireJson();
      const employeeId = (hire.employee as { employeeId: string }).employeeId;
      const cancel = {
        eventId: `cancel-${employeeId}`,
        type: 'employee.hire-cancelled',
        occurredAt: '2026-12-01T08:00:00Z',
        employee: { employeeId },
      };
      // Its last look: no onboarding for that employee (the hire was lost upstream).
      await host.bus.send('hr-events', [
        { messageId: cancel.eventId, body: cancel, applicationProperties: { deferCount: 5 } },
      ]);
      await host.whenIdle();
      const listed = JSON.parse((await dlq('list', '--json')).stdout) as {
        id: string;
        reason: string;
        messageId: string;
      }[];
      const entry = listed.find((e) => e.messageId === cancel.eventId);
      expect(entry).toMatchObject({ reason: 'NoOnboardingForEmployee' });
      expect((await dlq('list')).stdout).toContain(`${entry!.id}  ${cancel.eventId}  NoOnboardingForEmployee: `);

      const api = apiClient(host.url);
      expect(
        (await api.post('/api/hr-events', hire, await host.token('sirh@example.org', [Roles.hrEventsSend]))).status,
      ).toBe(202);
      await host.whenIdle();
      expect((await dlq('resubmit', entry!.id)).stdout.trim()).toBe(
        `resubmitted ${entry!.id} as ${cancel.eventId}/resubmit/1`,
      );
      const reader = await host.token('audit@example.org', [Roles.onboardingRead]);
      await eventually(
        () => api.get<{ items: { status: string }[] }>(`/api/onboardings?employeeId=${employeeId}`, reader),
        (r) => r.body.items[0]?.status === 'cancelled',
      );
      expect(JSON.parse((await dlq('list', '--json')).stdout)).toEqual([]);
    } finally {
      await host.stop();
    }
  });

  it('when the host stops cleanly and starts again, then its onboardings and tokens are still there', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'restart-'));
    const first = await startLocalHost({ port: 0, stateDir, persist: true, logHandler: quiet });
    const chef = await first.token('chef.dsi@example.org', [Roles.onboardingApprove]);
    const json = buildHireJson();
    const employeeId = (json.employee as { employeeId: string }).employeeId;
    await apiClient(first.url).post(
      '/api/hr-events',
      json,
      await first.token('sirh@example.org', [Roles.hrEventsSend]),
    );
    await first.whenIdle();
    await first.stop();

    const second = await startLocalHost({ port: 0, stateDir, persist: true, logHandler: quiet });
    try {
      const api = apiClient(second.url);
      const page = await api.get<{ items: { id: string }[] }>(`/api/onboardings?employeeId=${employeeId}`, chef);
      expect(page.body.items).toHaveLength(1);
      const id = page.body.items[0]!.id;
      expect((await api.post(`/api/onboardings/${id}/decision`, { decision: 'approve' }, chef)).status).toBe(200);
      await eventually(
        () => api.get<{ status: string }>(`/api/onboardings/${id}`, chef),
        (r) => r.body.status === 'completed',
      );
    } finally {
      await second.stop();
    }
  });

  it('when state.json is unreadable, then the host refuses to start and says what to do; told to start afresh, it sets the file aside', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'bad-state-'));
    writeFileSync(
      path.join(stateDir, 'state.json'),
      JSON.stringify({ cosmos: {}, bus: {}, tenant: { vpnMembers: [] } }),
    );
    await expect(startLocalHost({ port: 0, stateDir, persist: true, logHandler: quiet })).rejects.toThrow(
      /cannot be read.*LOCAL_START_AFRESH=true/s,
    );
    expect(readdirSync(stateDir)).toContain('state.json');
    const host = await startLocalHost({
      port: 0,
      stateDir,
      persist: true,
      logHandler: quiet,
      env: { ...process.env, LOCAL_START_AFRESH: 'true' },
    });
    try {
      expect((await fetch(`${host.url}/api/health`)).status).toBe(200);
      expect(readdirSync(stateDir).some((f) => f.startsWith('state.json.unreadable-'))).toBe(true);
    } finally {
      await host.stop();
    }
  });

  it('when `npm start` gets SIGTERM, then it prints its URL, serves, and exits 0', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'start-'));
    const child = spawn(tsx, ['local/main.ts'], {
      cwd: root,
      env: { ...process.env, PORT: '0', LOCAL_STATE_DIR: stateDir },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const url = await eventually(() => Promise.resolve(/http:\/\/127\.0\.0\.1:\d+/.exec(out)?.[0]), Boolean, 20_000);
    expect((await fetch(`${url!}/api/health`)).status).toBe(200);
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });

  it('when the signal reaches the host twice at once (a terminal signals the group, and tsx relays it), then it still stops cleanly: state saved, exit 0', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'group-'));
    // Node itself with tsx as a loader: this process is the host, so the test sends both signals itself.
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
      cwd: root,
      env: { ...process.env, PORT: '0', LOCAL_STATE_DIR: stateDir },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const url = await eventually(() => Promise.resolve(/http:\/\/127\.0\.0\.1:\d+/.exec(out)?.[0]), Boolean, 20_000);
    expect((await fetch(`${url!}/api/health`)).status).toBe(200);
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    expect(await exit).toBe(0);
    expect(out).not.toContain('stopping at once');
    expect(readdirSync(stateDir)).toContain(STATE_FILE);
  });
});
