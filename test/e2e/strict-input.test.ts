import { connect } from 'node:net';
import { startApiHost, type ApiHost } from '../support/api-host';
import { buildHireJson } from '../support/factories';

// Input as strict as the contract, through the real listener: what is not exactly what openapi.yaml says
// is refused with a problem, and nothing is written.

let host: ApiHost['host'];
let api: ApiHost['api'];
let hr: string;
let chef: string;
let hired: ApiHost['hired'];
let onboardingId: string;

beforeAll(async () => {
  ({ host, api, hr, chef, hired } = await startApiHost('strict'));
  onboardingId = (await hired(buildHireJson())).id;
});
afterAll(() => host.stop());

/** Sends raw bytes and answers the status line and what follows (for what fetch would not send). */
function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(host.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('utf8')));
    socket.on('end', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.write(request);
  });
}

describe('query strings', () => {
  it('when a parameter is repeated, then 400 naming it, not "the last one wins"', async () => {
    const res = await api.get<{ code: string; errors: { path: string }[] }>(
      '/api/onboardings?status=awaiting-approval&status=completed',
      chef,
    );
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'status', message: 'must be given once' }]);
  });

  it.each(['0x10', '1e2', '%205%20', '5.0', '+5', '0', '201', ''])('when limit is %p, then 400', async (limit) => {
    const res = await api.get<{ errors: { path: string }[] }>(`/api/onboardings?limit=${limit}`, chef);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e) => e.path)).toEqual(['limit']);
  });

  it('when limit is a decimal integer, then it is the page size', async () => {
    const res = await api.get<{ items: unknown[] }>('/api/onboardings?limit=1', chef);
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
  });
});

describe('bodies', () => {
  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', null])(
    'when a write is sent as %p, then 415 and nothing is decided',
    async (type) => {
      const res = await fetch(`${host.url}/api/onboardings/${onboardingId}/decision`, {
        method: 'POST',
        headers: { authorization: `Bearer ${chef}`, ...(type ? { 'content-type': type } : {}) },
        body: type === null ? new Blob(['{"decision":"approve"}']) : '{"decision":"approve"}',
      });
      expect(res.status).toBe(415);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect((await api.get<{ status: string }>(`/api/onboardings/${onboardingId}`, chef)).body.status).toBe(
        'awaiting-approval',
      );
    },
  );

  it('when JSON is sent with its charset, then it is taken', async () => {
    const res = await fetch(`${host.url}/api/hr-events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hr}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(buildHireJson()),
    });
    expect(res.status).toBe(202);
  });

  it('when the declared Content-Length is over the limit, then 413 at once, before any of the body is sent', async () => {
    const answer = await raw(
      `POST /api/hr-events HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nAuthorization: Bearer ${hr}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('application/problem+json');
  });

  it('when the headers are over 32 KiB, then 431 as problem+json', async () => {
    const answer = await raw(
      `GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nX-Padding: ${'a'.repeat(40 * 1024)}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toContain('Content-Type: application/problem+json');
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 431 });
  });
});

describe('free text', () => {
  it.each([
    ['a right-to-left override', 'validé \u202Eésuper'],
    ['a control character', 'validé\u0007'],
    ['a zero-width joiner', 'val\u200Didé'],
  ])('when a comment carries %s, then 400 and nothing is decided', async (_what, comment) => {
    const res = await api.post<{ errors: { path: string }[] }>(
      `/api/onboardings/${onboardingId}/decision`,
      { decision: 'reject', comment },
      chef,
    );
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e) => e.path)).toEqual(['comment']);
    expect((await api.get<{ status: string }>(`/api/onboardings/${onboardingId}`, chef)).body.status).toBe(
      'awaiting-approval',
    );
  });

  it('when a name carries a bidirectional override, then the hire is refused (400 naming the field)', async () => {
    const res = await api.post<{ errors: { path: string }[] }>(
      '/api/hr-events',
      buildHireJson({ employee: { surname: 'Martin\u202Enimda' } }),
      hr,
    );
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e) => e.path)).toEqual(['employee.surname']);
  });

  it('when a comment has several lines, then it is taken as written', async () => {
    const res = await api.post<{ decision: { comment: string } }>(
      `/api/onboardings/${onboardingId}/decision`,
      { decision: 'approve', comment: 'PCA.\nPoste prioritaire.' },
      chef,
    );
    expect(res.status).toBe(200);
    expect(res.body.decision.comment).toBe('PCA.\nPoste prioritaire.');
  });
});
