import { readFileSync } from 'node:fs';
import path from 'node:path';
import queueDefinitions from '../../shared/definitions/service-bus-queues.json';
import cosmosDefinitions from '../../shared/definitions/cosmos-containers.json';
import { ALL_CONTAINERS, CONTAINERS } from '../../shared/adapters/cosmos/containers';
import { QUEUES } from '../../shared/app/queues';
import { CONFIG_SETTINGS } from '../../shared/config';
import {
  bicepParser,
  descendants,
  filesUnder,
  INFRA_DIR,
  keysOf,
  parseBicep,
  property,
  resources,
} from '../support/bicep';

const bicepFiles = filesUnder(INFRA_DIR, '.bicep');
const mainFile = path.join(INFRA_DIR, 'main.bicep');

describe('infra/: every Bicep file', () => {
  it.each(bicepFiles.map((f) => [path.relative(INFRA_DIR, f), f]))(
    '%s parses without a syntax error',
    async (_name, file) => {
      const tree = await parseBicep(file);
      expect(tree.rootNode.hasError).toBe(false);
    },
  );

  it('when a file is broken, then the parser says so (the check above is not blind)', async () => {
    const tree = (await bicepParser()).parse(
      "resource sb 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' = {\n  name: 'x'\n  properties: {\n",
    )!;
    expect(tree.rootNode.hasError).toBe(true);
  });

  it('when a module declares a parameter, then its description starts Required. or Optional.', async () => {
    for (const file of bicepFiles) {
      const tree = await parseBicep(file);
      for (const decorators of descendants(tree.rootNode, 'decorators')) {
        const next = decorators.nextNamedSibling;
        if (next?.type !== 'parameter_declaration') continue;
        const description = /@description\('([^']*)/.exec(decorators.text)?.[1] ?? '';
        expect(`${path.basename(file)} ${next.namedChildren[0]?.text ?? ''}: ${description}`).toMatch(
          /: (Required|Optional)\./,
        );
      }
    }
  });

  it('when main.bicepparam sets a parameter, then main.bicep declares it', async () => {
    const params = readFileSync(path.join(INFRA_DIR, 'main.bicepparam'), 'utf8');
    expect(params).toMatch(/^using '\.\/main\.bicep'/);
    const declared = descendants((await parseBicep(mainFile)).rootNode, 'parameter_declaration').map(
      (p) => p.namedChildren[0]?.text,
    );
    for (const [, name] of params.matchAll(/^param (\w+)/gm)) expect(declared).toContain(name);
  });
});

describe('Service Bus trigger scaling (decision 10)', () => {
  it("when the queues are deployed, then the app's identity holds Azure Service Bus Data Owner on each queue (the Manage claim the scale controller reads message counts with), and no role that adds nothing to Data Receiver", async () => {
    // https://learn.microsoft.com/azure/azure-functions/functions-target-based-scaling: "use Manage rights on
    // resources for the most efficient scaling. With Listen rights scaling reverts to incremental scale". Data
    // Receiver already holds Microsoft.ServiceBus/*/queues/read; only Data Owner's Microsoft.ServiceBus/* data
    // action carries Manage (built-in roles, Integration).
    const text = readFileSync(path.join(INFRA_DIR, 'modules', 'service-bus.bicep'), 'utf8');
    expect(text).not.toContain('Microsoft.Authorization/roleDefinitions@');
    expect(text).not.toContain("actions: ['Microsoft.ServiceBus/namespaces/queues/read']");
    const sb = await parseBicep(path.join(INFRA_DIR, 'modules', 'service-bus.bicep'));
    const scaling = resources(sb).find((r) => r.name === 'appManagesForScaling');
    expect(scaling).toBeDefined();
    expect(property(scaling!.body, 'scope')?.text).toBe('queueResources[i]');
    expect(property(scaling!.body, 'roleDefinitionId')?.text).toBe(
      "subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.dataOwner)",
    );
    expect(text).toContain("dataOwner: '090c5cfd-751d-490a-894a-3ce6f1109419'");
    expect(text).toMatch(/for \(q, i\) in queues: if \(scalingRole == 'DataOwner'\)/);
    const main = readFileSync(mainFile, 'utf8');
    expect(main).toContain('scalingRole: scalingRole');
    expect(main).toContain("param scalingRole string = 'DataOwner'");
    expect(readFileSync(path.join(INFRA_DIR, 'main.bicepparam'), 'utf8')).toContain(
      "param scalingRole = readEnvironmentVariable('SCALING_ROLE', 'DataOwner')",
    );
  });
});

describe('infra/ and the code do not drift', () => {
  it('when the functions read a setting, then the Function App sets it', async () => {
    const main = await parseBicep(mainFile);
    const appSettings = property(main.rootNode, 'appSettings');
    expect(appSettings?.type).toBe('object');
    const declaredInPlatform = descendants(
      (await parseBicep(path.join(INFRA_DIR, 'modules', 'function-app.bicep'))).rootNode,
      'variable_declaration',
    )
      .filter((v) => v.namedChildren[0]?.text === 'platformSettings')
      .flatMap((v) => keysOf(descendants(v, 'object')[0]!));
    const set = new Set([...keysOf(appSettings!), ...declaredInPlatform]);
    const missing = CONFIG_SETTINGS.filter((s) => !set.has(s));
    expect(missing).toEqual([]);
    expect(set.has('AZURE_CLIENT_ID')).toBe(true);
  });

  it('when the code uses a queue, then shared/definitions/service-bus-queues.json declares it, and main.bicep deploys that file', async () => {
    expect(queueDefinitions.map((q) => q.name).sort()).toEqual(Object.values(QUEUES).sort());
    const main = readFileSync(mainFile, 'utf8');
    expect(main).toContain("loadJsonContent('../shared/definitions/service-bus-queues.json')");
    expect(property((await parseBicep(mainFile)).rootNode, 'queues')?.text).toBe('queues');
    for (const q of queueDefinitions) expect(q.maxDeliveryCount).toBeGreaterThan(1);
  });

  it('when the code uses a container, then its partition key and indexing come from the file the Bicep deploys', async () => {
    expect(ALL_CONTAINERS).toEqual(cosmosDefinitions.containers);
    expect(CONTAINERS.onboardings.partitionKeyPath).toBe('/employeeId');
    expect(readFileSync(mainFile, 'utf8')).toContain("loadJsonContent('../shared/definitions/cosmos-containers.json')");
    const cosmos = await parseBicep(path.join(INFRA_DIR, 'modules', 'cosmos.bicep'));
    const container = resources(cosmos).find((r) =>
      r.type.startsWith('Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@'),
    );
    expect(property(container!.body, 'paths')?.text).toBe('[c.partitionKeyPath]');
    expect(property(container!.body, 'indexingPolicy')?.text).toBe('c.indexingPolicy');
  });
});

describe('infra/ is secure by default', () => {
  async function allResources() {
    return (await Promise.all(bicepFiles.map(async (f) => resources(await parseBicep(f))))).flat();
  }

  it.each([
    ['Microsoft.ServiceBus/namespaces@', 'disableLocalAuth', 'true'],
    ['Microsoft.DocumentDB/databaseAccounts@', 'disableLocalAuth', 'true'],
    ['Microsoft.Insights/components@', 'DisableLocalAuth', 'true'],
    ['Microsoft.Storage/storageAccounts@', 'allowSharedKeyAccess', 'false'],
    ['Microsoft.Web/sites@', 'httpsOnly', 'true'],
  ])('when a %s resource is declared, then %s is %s', async (type, key, value) => {
    const matching = (await allResources()).filter((r) => r.type.startsWith(type));
    expect(matching.length).toBeGreaterThan(0);
    for (const r of matching) expect(property(r.body, key)?.text).toBe(value);
  });

  it('when any file of infra/ or the code is read, then no key is listed and no key-bearing connection string is built', () => {
    const files = [
      ...filesUnder(INFRA_DIR, ''),
      ...filesUnder(path.resolve(INFRA_DIR, '..', 'shared'), '.ts'),
      ...filesUnder(path.resolve(INFRA_DIR, '..', 'functions'), '.ts'),
    ];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(
        `${file}: ${/listKeys\(|listConnectionStrings\(|listAccountSas\(|AccountKey=|SharedAccessKey=|primaryMasterKey|primaryKey/.exec(text)?.[0] ?? 'clean'}`,
      ).toBe(`${file}: clean`);
    }
  });

  it('when outputs are declared, then none carries a key, a secret or a password', async () => {
    for (const file of bicepFiles) {
      for (const output of descendants((await parseBicep(file)).rootNode, 'output_declaration')) {
        // The Application Insights connection string is an identifier: with local auth disabled it cannot ingest.
        if (output.namedChildren[0]?.text === 'applicationInsightsConnectionString') continue;
        // The key vault's name, for the script that saves the Teams secret: a name, not a key.
        if (output.namedChildren[0]?.text === 'AZURE_KEY_VAULT_NAME') {
          expect(output.text).toMatch(/= keyVault\.outputs\.name$/);
          continue;
        }
        expect(output.text).not.toMatch(/key|secret|password|connectionstring|sas/i);
      }
    }
  });

  it('when the app identity gets Service Bus roles, then they are scoped to queues, and the HR system may only send to hr-events', async () => {
    const sb = await parseBicep(path.join(INFRA_DIR, 'modules', 'service-bus.bicep'));
    const assignments = resources(sb).filter((r) => r.type.startsWith('Microsoft.Authorization/roleAssignments@'));
    expect(assignments.map((a) => [a.name, property(a.body, 'scope')?.text])).toEqual([
      ['appManagesForScaling', 'queueResources[i]'],
      ['appReceives', 'queueResources[i]'],
      ['appSends', 'queueResources[i]'],
      ['hrSends', 'hrEvents'],
    ]);
    const hrEvents = resources(sb).find((r) => r.name === 'hrEvents');
    expect(property(hrEvents!.body, 'name')?.text).toBe(`'${QUEUES.hrEvents}'`);
  });
});

describe('the Teams webhook is a secret: Key Vault, read through a Key Vault reference, set out of band', () => {
  // https://learn.microsoft.com/azure/app-service/app-service-key-vault-references: a setting
  // `@Microsoft.KeyVault(VaultName=…;SecretName=…)` is resolved by the platform with `keyVaultReferenceIdentity`,
  // which needs to read secrets (Key Vault Secrets User, with RBAC authorization on the vault).
  it('when the app settings are declared, then the webhook is a Key Vault reference to the secret the script saves, never a value', async () => {
    const main = await parseBicep(mainFile);
    const setting = property(property(main.rootNode, 'appSettings')!, 'Notifications__teamsWebhookUrl');
    expect(setting?.text).toBe(
      "'@Microsoft.KeyVault(VaultName=${keyVault.outputs.name};SecretName=${teamsWebhookSecretName})'",
    );
    expect(readFileSync(mainFile, 'utf8')).toContain("var teamsWebhookSecretName = 'teams-webhook-url'");
    expect(readFileSync(path.join(INFRA_DIR, 'scripts', 'set-teams-webhook.sh'), 'utf8')).toContain(
      '--name teams-webhook-url',
    );
    const vaultFile = await parseBicep(path.join(INFRA_DIR, 'modules', 'key-vault.bicep'));
    const vaultResources = resources(vaultFile);
    const vault = vaultResources.find((r) => r.type.startsWith('Microsoft.KeyVault/vaults@'));
    expect(property(vault!.body, 'enableRbacAuthorization')?.text).toBe('true');
    expect(property(vault!.body, 'enablePurgeProtection')?.text).toBe('true');
    const reader = vaultResources.find((r) => r.name === 'secretsUser');
    expect(property(reader!.body, 'scope')?.text).toBe('vault');
    expect(readFileSync(path.join(INFRA_DIR, 'modules', 'key-vault.bicep'), 'utf8')).toContain(
      "var secretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'",
    );
    expect(property(main.rootNode, 'readerPrincipalId')?.text).toBe('identity.outputs.principalId');
  });

  it('when any file of infra/ is read, then the webhook is no parameter and no secret resource: provisioning never holds it nor writes an old value back', async () => {
    for (const file of bicepFiles) {
      const tree = await parseBicep(file);
      const params = descendants(tree.rootNode, 'parameter_declaration').map((p) => p.namedChildren[0]?.text);
      expect(params.filter((p) => /webhook/i.test(p ?? ''))).toEqual([]);
      expect(resources(tree).filter((r) => r.type.startsWith('Microsoft.KeyVault/vaults/secrets@'))).toEqual([]);
    }
    expect(readFileSync(path.join(INFRA_DIR, 'main.bicepparam'), 'utf8')).not.toMatch(/WEBHOOK/i);
  });

  it("when the azd environment is written, then git ignores it (.azure/<env>/.env holds the environment's values)", () => {
    const ignored = readFileSync(path.resolve(INFRA_DIR, '..', '.gitignore'), 'utf8').split('\n');
    expect(ignored).toContain('.azure/');
  });

  it('when an operator is named, then they hold Key Vault Secrets Officer on the vault alone (to save a new version of the secret)', async () => {
    // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-secrets-officer
    const text = readFileSync(path.join(INFRA_DIR, 'modules', 'key-vault.bicep'), 'utf8');
    expect(text).toContain("var secretsOfficerRoleId = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'");
    const officer = resources(await parseBicep(path.join(INFRA_DIR, 'modules', 'key-vault.bicep'))).find(
      (r) => r.name === 'secretsOfficer',
    );
    expect(officer).toBeDefined();
    expect(property(officer!.body, 'scope')?.text).toBe('vault');
    expect(property(officer!.body, 'principalId')?.text).toBe('secretsOfficerPrincipalId');
    expect(text).toMatch(/resource secretsOfficer '[^']+' = if \(!empty\(secretsOfficerPrincipalId\)\)/);
    const main = await parseBicep(mainFile);
    expect(property(main.rootNode, 'secretsOfficerPrincipalId')?.text).toBe('secretsOfficerPrincipalId');
    expect(readFileSync(path.join(INFRA_DIR, 'main.bicepparam'), 'utf8')).toContain(
      "param secretsOfficerPrincipalId = readEnvironmentVariable('KEY_VAULT_SECRETS_OFFICER_PRINCIPAL_ID', '')",
    );
  });

  it('when the vault of this environment was deleted (azd down, purge protection), then the provisioning recovers it: createMode comes from KEY_VAULT_CREATE_MODE', async () => {
    const vault = resources(await parseBicep(path.join(INFRA_DIR, 'modules', 'key-vault.bicep'))).find((r) =>
      r.type.startsWith('Microsoft.KeyVault/vaults@'),
    );
    expect(property(vault!.body, 'createMode')?.text).toBe('createMode');
    expect(property((await parseBicep(mainFile)).rootNode, 'createMode')?.text).toBe('keyVaultCreateMode');
    expect(readFileSync(path.join(INFRA_DIR, 'main.bicepparam'), 'utf8')).toContain(
      "param keyVaultCreateMode = readEnvironmentVariable('KEY_VAULT_CREATE_MODE', 'default')",
    );
    expect(readFileSync(mainFile, 'utf8')).toContain('output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name');
  });

  it('when the Function App is declared, then it resolves Key Vault references with its user-assigned identity', async () => {
    const app = resources(await parseBicep(path.join(INFRA_DIR, 'modules', 'function-app.bicep'))).find((r) =>
      r.type.startsWith('Microsoft.Web/sites@'),
    );
    expect(property(app!.body, 'keyVaultReferenceIdentity')?.text).toBe(
      "keyVaultReferencesUseIdentity ? identityResourceId : 'SystemAssigned'",
    );
    expect(property((await parseBicep(mainFile)).rootNode, 'keyVaultReferencesUseIdentity')?.text).toBe('true');
  });
});
