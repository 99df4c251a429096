import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

interface Workflow {
  permissions?: Record<string, string>;
  jobs: Record<string, { steps: { run?: string; uses?: string; with?: Record<string, string> }[] }>;
}

describe('GitHub workflows', () => {
  it('when CI runs, then it installs from the lock file, lints, builds, tests and compiles the Bicep', () => {
    const ci = parse(read('.github/workflows/ci.yml')) as Workflow;
    const runs = Object.values(ci.jobs)
      .flatMap((j) => j.steps.map((s) => s.run ?? ''))
      .join('\n');
    for (const command of [
      'npm ci',
      'npm run lint',
      'npm run build',
      'npm test',
      'az bicep build --file infra/main.bicep',
    ]) {
      expect(runs).toContain(command);
    }
  });

  it('when deploying, then azd signs in with OIDC federated credentials and no secret is used', () => {
    const text = read('.github/workflows/deploy.yml');
    const deploy = parse(text) as Workflow;
    expect(deploy.permissions).toMatchObject({ 'id-token': 'write' });
    expect(text).not.toMatch(/secrets\./);
    const runs = Object.values(deploy.jobs)
      .flatMap((j) => j.steps.map((s) => s.run ?? ''))
      .join('\n');
    expect(runs).toContain('--federated-credential-provider github');
    expect(runs).toContain('azd provision');
    expect(runs).toContain('azd deploy');
  });

  it('when the deployment is checked, then the smoke test calls the readiness route (roles, tokens, secrets), not liveness', () => {
    const deploy = parse(read('.github/workflows/deploy.yml')) as Workflow;
    const smoke = Object.values(deploy.jobs)
      .flatMap((j) => j.steps)
      .find((st) => st.run?.includes('curl'));
    expect(smoke?.run).toContain('"$url/health/ready"');
    expect(smoke?.run).toContain('--fail');
  });

  it('when azd reads azure.yaml, then it deploys the Bicep of infra/ and one Functions service', () => {
    const azd = parse(read('azure.yaml')) as {
      infra: { provider: string; path: string };
      services: Record<string, { host: string }>;
    };
    expect(azd.infra).toMatchObject({ provider: 'bicep', path: 'infra' });
    expect(Object.values(azd.services).map((s) => s.host)).toEqual(['function']);
  });

  it('when anything runs the product, then it is on Node 22, as Flex Consumption runs it (Node 20 there ended 2026-04-30)', () => {
    // https://learn.microsoft.com/azure/azure-functions/supported-languages: Node 22 supported to 2027-04-30.
    for (const file of ['.github/workflows/ci.yml', '.github/workflows/deploy.yml']) {
      const workflow = parse(read(file)) as Workflow;
      const setups = Object.values(workflow.jobs).flatMap((j) =>
        j.steps.filter((st) => st.uses?.startsWith('actions/setup-node')),
      );
      expect(setups.map((st) => String(st.with?.['node-version']))).toEqual(['22']);
    }
    // Development may run on Node 20.19+ (README); what is deployed declares 22, and Azure runs 22.
    expect((JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node).toBe('>=20.19');
    expect(read('cli/package-functions.ts')).toContain("engines: { node: '>=22' }");
    expect(read('.ci/run')).toContain('npx -y -p node@22');
    expect(read('infra/main.bicep')).toContain("param nodeVersion string = '22'");
    expect(read('infra/modules/function-app.bicep')).toContain("@allowed(['22'])");
  });
});
