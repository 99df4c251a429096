import { readFileSync } from 'node:fs';
import path from 'node:path';
import { APPLICATION_ROLES } from '../../shared/adapters/auth/jwt-validator';
import { Roles } from '../../shared/domain/roles';

const script = readFileSync(path.resolve(__dirname, '..', '..', 'infra', 'scripts', 'register-api-app.sh'), 'utf8');

describe("the API's app registration (infra/scripts/register-api-app.sh)", () => {
  it('when its app roles are read, then they are the API roles, and only those applications may hold are open to applications', () => {
    const json = /cat > "\$roles_file" <<'JSON'\n([\s\S]*?)\nJSON/.exec(script)?.[1];
    const roles = JSON.parse(json ?? '[]') as { value: string; allowedMemberTypes: string[] }[];
    expect(roles.map((r) => r.value).sort()).toEqual(Object.values(Roles).sort());
    for (const r of roles) {
      expect([r.value, r.allowedMemberTypes.includes('Application')]).toEqual([
        r.value,
        APPLICATION_ROLES.includes(r.value as (typeof APPLICATION_ROLES)[number]),
      ]);
      expect(r.allowedMemberTypes).toContain('User');
    }
  });

  it('when it runs, then it asks for v2 tokens with idtyp, a delegated scope for people, and lets anyone of the tenant sign in (managers); also for an existing app', () => {
    expect(script).toContain('\\"requestedAccessTokenVersion\\": 2');
    expect(script).toContain('"accessToken": [{ \\"name\\": \\"idtyp\\"'.replace(/"accessToken"/, '\\"accessToken\\"'));
    expect(script).toContain('\\"value\\": \\"access_as_user\\", \\"type\\": \\"User\\"');
    // Anyone of the tenant signs in (a manager needs no role); the API checks the roles of every other route.
    expect(script).toContain('{"appRoleAssignmentRequired": false}');
    // No early exit when API_CLIENT_ID is set: the registration is checked and mended all the same. The only
    // early exit is the pipeline's switch (SKIP_API_APP_REGISTRATION, test/infra/deploy-hooks.test.ts).
    const withoutSkip = script.replace(
      /\nif \[ "\$\{SKIP_API_APP_REGISTRATION:-\}" = "true" \]; then\n[\s\S]*?\nfi\n/,
      '\n',
    );
    expect(withoutSkip).not.toBe(script);
    expect(withoutSkip).not.toMatch(/exit 0/);
    expect(script).toContain('the API accepts v2 only');
  });
});
