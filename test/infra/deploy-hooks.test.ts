import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

// The hooks azure.yaml gives azd (preprovision, postprovision), run as the deploy workflow runs them: its job's
// environment, and `az` and `azd` answering as the pipeline's identity would. That identity (OIDC, Contributor and
// User Access Administrator on the subscription) holds no directory role: Microsoft Graph refuses it any read or
// change of app registrations and app role assignments ("Insufficient privileges to complete the operation.",
// Authorization_RequestDenied), while it may list the subscription's deleted key vaults.

const root = path.resolve(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

interface Hooks {
  hooks: Record<string, { posix: { run: string } }>;
}
interface Workflow {
  jobs: Record<string, { env: Record<string, string> }>;
}

/** The deploy job's environment, its repository variables given sample values. */
function jobEnvironment(): Record<string, string> {
  const workflow = parse(read('.github/workflows/deploy.yml')) as Workflow;
  const samples: Record<string, string> = {
    AZURE_CLIENT_ID: '00000000-0000-0000-0000-0000000000c1',
    AZURE_TENANT_ID: '00000000-0000-0000-0000-0000000000a1',
    AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-0000000000b1',
    AZURE_ENV_NAME: 'onboarding-prod',
    AZURE_LOCATION: 'francecentral',
    VPN_GROUP_ID: '00000000-0000-0000-0000-0000000000a3',
    API_CLIENT_ID: '00000000-0000-0000-0000-0000000000a2',
  };
  return Object.fromEntries(
    Object.entries(workflow.jobs.deploy!.env).map(([name, value]) => [
      name,
      value.replace(/\$\{\{ vars\.(\w+) \}\}/g, (_, v: string) => samples[v] ?? ''),
    ]),
  );
}

/** `az` and `azd` as the pipeline's identity meets them; each call is written down. */
function stubs(options: { deletedVault?: string } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'hooks-'));
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  const log = path.join(dir, 'az.log');
  const azdEnv = path.join(dir, 'azd.env');
  const secret = path.join(dir, 'secret.copy');
  writeFileSync(
    path.join(bin, 'az'),
    `#!/bin/sh
printf '%s\\n' "az $*" >> "${log}"
case "$1 $2" in
  "ad "*|"rest "*)
    echo "ERROR: Insufficient privileges to complete the operation." >&2
    exit 1 ;;
  "keyvault list-deleted")
    printf '%s\\n' "${options.deletedVault ?? ''}"
    exit 0 ;;
  "keyvault secret")
    file=""
    while [ $# -gt 0 ]; do [ "$1" = "--file" ] && file="$2"; shift; done
    cp "$file" "${secret}"
    stat -c '%a' "$file" > "${secret}.mode"
    exit 0 ;;
esac
exit 0
`,
  );
  writeFileSync(
    path.join(bin, 'azd'),
    `#!/bin/sh
printf '%s\\n' "azd $*" >> "${log}"
if [ "$1 $2" = "env set" ]; then printf '%s=%s\\n' "$3" "$4" >> "${azdEnv}"; exit 0; fi
if [ "$1 $2" = "env get-value" ]; then
  line=$(grep "^$3=" "${azdEnv}" 2> /dev/null | tail -n 1)
  [ -n "$line" ] || exit 1
  printf '%s\\n' "\${line#*=}"
  exit 0
fi
exit 0
`,
  );
  chmodSync(path.join(bin, 'az'), 0o755);
  chmodSync(path.join(bin, 'azd'), 0o755);
  return {
    bin,
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []),
    azdEnv: () => (existsSync(azdEnv) ? readFileSync(azdEnv, 'utf8') : ''),
    secret: () =>
      existsSync(secret)
        ? { value: readFileSync(secret, 'utf8'), mode: readFileSync(`${secret}.mode`, 'utf8').trim() }
        : null,
  };
}

function runHook(hook: 'preprovision' | 'postprovision', env: Record<string, string>, bin: string) {
  const hooks = parse(read('azure.yaml')) as Hooks;
  const run = spawnSync('sh', ['-c', hooks.hooks[hook]!.posix.run], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: tmpdir(), ...env },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** What azd puts in a hook's environment after provisioning: the outputs of infra/main.bicep. */
const OUTPUTS = {
  AZURE_MANAGED_IDENTITY_PRINCIPAL_ID: '00000000-0000-0000-0000-0000000000d1',
  AZURE_FUNCTION_APP_NAME: 'func-onboarding-abc',
  AZURE_KEY_VAULT_NAME: 'kv-abc',
};

describe("the deploy workflow's azd hooks, as its identity runs them", () => {
  it('when the workflow provisions, then both hooks succeed, read and change nothing in Entra ID, and the key vault is created', () => {
    const env = jobEnvironment();
    expect(env).toMatchObject({ SKIP_API_APP_REGISTRATION: 'true', SKIP_GRAPH_GRANT: 'true' });
    const az = stubs();
    const pre = runHook('preprovision', env, az.bin);
    expect([pre.status, pre.stderr]).toEqual([0, '']);
    const post = runHook('postprovision', { ...env, ...OUTPUTS }, az.bin);
    expect([post.status, post.stderr]).toEqual([0, '']);
    expect(az.calls().filter((c) => /^az (ad|rest) /.test(c))).toEqual([]);
    expect(az.azdEnv()).toContain('KEY_VAULT_CREATE_MODE=default');
    expect(`${pre.stdout}${post.stdout}`).toContain('skipped (SKIP_API_APP_REGISTRATION=true)');
  });

  it("when the environment's key vault waits soft-deleted (azd down, purge protection), then the preprovision hook has it recovered", () => {
    const az = stubs({ deletedVault: 'kv-abc' });
    const pre = runHook('preprovision', jobEnvironment(), az.bin);
    expect(pre.status).toBe(0);
    expect(az.azdEnv()).toContain('KEY_VAULT_CREATE_MODE=recover');
    const listing = az.calls().find((c) => c.startsWith('az keyvault list-deleted'));
    // The deleted vault of this environment in this region, by the tags and location a deleted vault keeps.
    expect(listing).toContain(`properties.tags."azd-env-name"=='onboarding-prod'`);
    expect(listing).toContain(`properties.location=='francecentral'`);
  });

  it("when a person without directory roles runs azd up without the switch, then the hook stops saying what to do, not with az's error", () => {
    const { SKIP_API_APP_REGISTRATION: _skip, ...withoutSwitch } = jobEnvironment();
    const az = stubs();
    const pre = runHook('preprovision', withoutSwitch, az.bin);
    expect(pre.status).not.toBe(0);
    expect(pre.stderr).toContain('may not read or change app registrations');
    expect(pre.stderr).toContain('SKIP_API_APP_REGISTRATION=true');
    expect(pre.stderr).not.toContain('Insufficient privileges');
    // It read before it tried anything, and stopped there.
    expect(az.calls().filter((c) => /^az (ad|rest) /.test(c))).toEqual([
      'az ad app show --id 00000000-0000-0000-0000-0000000000a2 --query appId -o tsv',
    ]);
  });

  it('when the Graph grant runs without its switch as that identity, then it stops saying who must run it', () => {
    const { SKIP_GRAPH_GRANT: _skip, ...withoutSwitch } = jobEnvironment();
    const az = stubs();
    const run = spawnSync('sh', ['infra/scripts/grant-graph-permissions.sh'], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: `${az.bin}:${process.env.PATH ?? ''}`, ...withoutSwitch, ...OUTPUTS },
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('Privileged Role Administrator');
    expect(run.stderr).toContain('SKIP_GRAPH_GRANT=true');
  });

  it('when the switch is set but no API_CLIENT_ID is given, then the hook stops: the Bicep needs the client id', () => {
    const az = stubs();
    const pre = runHook('preprovision', { ...jobEnvironment(), API_CLIENT_ID: '' }, az.bin);
    expect(pre.status).not.toBe(0);
    expect(pre.stderr).toContain('API_CLIENT_ID is not set');
  });

  it('when docs/operations.md gives the path for someone without directory roles, then it sets the same switches as the workflow', () => {
    const operations = read('docs/operations.md');
    for (const name of ['API_CLIENT_ID', 'SKIP_API_APP_REGISTRATION', 'SKIP_GRAPH_GRANT']) {
      expect(operations).toContain(`azd env set ${name}`);
    }
  });
});

describe('the Teams webhook is saved out of band (infra/scripts/set-teams-webhook.sh)', () => {
  const URL =
    'https://prod-01.francecentral.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=s3cr3t-signature';

  function save(input: string) {
    const az = stubs();
    const run = spawnSync('sh', ['infra/scripts/set-teams-webhook.sh'], {
      cwd: root,
      encoding: 'utf8',
      input,
      env: { PATH: `${az.bin}:${process.env.PATH ?? ''}`, AZURE_KEY_VAULT_NAME: 'kv-abc' },
    });
    return { run, az };
  }

  it('when the URL is given on standard input, then it reaches Key Vault through a file only its owner reads, never as an argument, and is never printed', () => {
    const { run, az } = save(`${URL}\n`);
    expect(run.status).toBe(0);
    expect(az.secret()).toEqual({ value: URL, mode: '600' });
    const call = az.calls().find((c) => c.startsWith('az keyvault secret set'));
    expect(call).toContain('--vault-name kv-abc --name teams-webhook-url');
    expect(az.calls().join('\n')).not.toContain('sig=');
    expect(`${run.stdout}${run.stderr}`).not.toContain('sig=');
  });

  it('when what is given is not a Workflows URL with its signature, then nothing is saved', () => {
    const { run, az } = save('https://example.org/no-signature\n');
    expect(run.status).not.toBe(0);
    expect(az.calls().filter((c) => c.startsWith('az keyvault'))).toEqual([]);
  });
});
