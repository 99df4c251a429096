import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { issueToken, loadOrCreateSigningKey } from '../../local/dev-issuer';
import { startLocalHost } from '../../local/host';
import { listen } from '../../local/http-listener';
import { Roles } from '../../shared/domain/roles';
import { buildHireJson } from '../support/factories';
import { eventually } from '../support/http-client';

const root = path.resolve(__dirname, '..', '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const quiet = () => undefined;

/** A raw request with any Host header (fetch does not let a page, or a test, choose it). */
function rawGet(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a request whose body never ends: a client that holds the host. Resolves when the host closes it. */
function hangingRequest(url: string): { closed: Promise<void> } {
  const req = request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': '1000' },
  });
  req.write('{"eventId":');
  const closed = new Promise<void>((resolve) => {
    req.on('error', () => resolve());
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('close', () => resolve());
  });
  return { closed };
}

describe('the local host as a service', () => {
  it('when a request names another host (DNS rebinding from a page in a browser), then 403; loopback names are served', async () => {
    const host = await startLocalHost({
      port: 0,
      stateDir: mkdtempSync(path.join(tmpdir(), 'host-')),
      logHandler: quiet,
    });
    try {
      const evil = await rawGet(`${host.url}/api/health`, `rebind.attacker.example:${host.port}`);
      expect(evil.status).toBe(403);
      expect(JSON.parse(evil.body)).toMatchObject({ status: 403 });
      for (const name of ['127.0.0.1', 'localhost']) {
        expect((await rawGet(`${host.url}/api/health`, `${name}:${host.port}`)).status).toBe(200);
      }
      expect((await rawGet(`${host.url}/.local/simulated-tenant`, `evil.example:${host.port}`)).status).toBe(403);
    } finally {
      await host.stop();
    }
  });

  it('when a request arrives before the host serves, then it is answered 503 with Retry-After, not left hanging', async () => {
    const listener = await listen(0);
    try {
      const res = await fetch(`${listener.url}/api/health`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    } finally {
      await listener.close(0);
    }
  });

  it('when a client holds a request open, then a stop does not wait for it past its deadline', async () => {
    const host = await startLocalHost({
      port: 0,
      stateDir: mkdtempSync(path.join(tmpdir(), 'host-')),
      logHandler: quiet,
    });
    const held = hangingRequest(`${host.url}/api/hr-events`);
    await new Promise((r) => setTimeout(r, 100));
    await host.stop(300);
    await held.closed; // the host closed it
    await expect(fetch(`${host.url}/api/health`)).rejects.toThrow();
  });

  it('when `npm start` gets a second SIGTERM while a client holds it, then it stops at once, and what it acknowledged is there at the next start', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'signals-'));
    const key = await loadOrCreateSigningKey(stateDir);
    const token = (user: string, roles: string[]) =>
      issueToken(key, {
        user,
        roles,
        issuer: 'https://login.dev.local/onboarding/v2.0',
        audience: 'api://dsi-onboarding',
      });
    const start = () => {
      const child = spawn(tsx, ['local/main.ts'], {
        cwd: root,
        env: { ...process.env, PORT: '0', LOCAL_STATE_DIR: stateDir },
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const url = eventually(() => Promise.resolve(/http:\/\/127\.0\.0\.1:\d+/.exec(out)?.[0]), Boolean, 20_000);
      return { child, url };
    };
    const first = start();
    const url = (await first.url)!;
    const hire = buildHireJson();
    const res = await fetch(`${url}/api/hr-events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await token('sirh@example.org', [Roles.hrEventsSend])}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(hire),
    });
    expect(res.status).toBe(202);
    hangingRequest(`${url}/api/hr-events`);
    await new Promise((r) => setTimeout(r, 100));
    const exit = new Promise<number | null>((resolve) => first.child.on('exit', resolve));
    first.child.kill('SIGTERM');
    // Later than a relay of the first (within a second): someone who does not want to wait.
    await new Promise((r) => setTimeout(r, 1200));
    first.child.kill('SIGTERM');
    expect(await exit).toBe(130);

    const second = start();
    const again = (await second.url)!;
    try {
      const employeeId = (hire.employee as { employeeId: string }).employeeId;
      const reader = await token('audit@example.org', [Roles.onboardingRead]);
      await eventually(
        async () =>
          (await (
            await fetch(`${again}/api/onboardings?employeeId=${employeeId}`, {
              headers: { authorization: `Bearer ${reader}` },
            })
          ).json()) as {
            items: unknown[];
          },
        (page) => page.items.length === 1,
      );
    } finally {
      const stopped = new Promise((resolve) => second.child.on('exit', resolve));
      second.child.kill('SIGTERM');
      await stopped;
    }
  }, 60_000);
});
