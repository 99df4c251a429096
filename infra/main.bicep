targetScope = 'subscription'

@description('Required. Name of the environment (azd), used in resource names, e.g. onboarding-prod.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Required. Azure region of every resource.')
param location string

@description('Required. Object id of the Entra ID group whose members get VPN access.')
@minLength(36)
param vpnGroupId string

@description('Required. Application (client) id of the API app registration: the audience of its access tokens.')
@minLength(36)
param apiClientId string

@description('Optional. skuId of the Microsoft 365 licence to assign. Default: Office 365 E3.')
param licenseSkuId string = '6fd2c87f-b296-42f0-b197-1e91e994b900'

@description('Optional. Department name to the group id of its team in Microsoft Teams: each agent joins their department\'s team once licensed. Default: none (no Teams step).')
param departmentTeams object = {}

@description('Optional. Usage location (ISO 3166-1 alpha-2) set on an agent\'s account without one, before its licence.')
@minLength(2)
@maxLength(2)
param defaultUsageLocation string = 'FR'

@description('Optional. Entra ID tenant that issues the API\'s access tokens. Default: this subscription\'s tenant.')
param authTenantId string = tenant().tenantId

@description('Optional. Principal id of the HR system; it gets Data Sender on hr-events alone. Empty: none.')
param hrSenderPrincipalId string = ''

@description('Optional. Kind of principal the HR system is: a service principal (its app), a user or a group.')
@allowed(['ServicePrincipal', 'User', 'Group'])
param hrSenderPrincipalType string = 'ServicePrincipal'

@description('Optional. What lets the Service Bus triggers scale on their queues\' message counts (decision 10): DataOwner (Azure Service Bus Data Owner on each queue: the Manage claim the scale controller needs) or None (incremental scaling).')
@allowed(['DataOwner', 'None'])
param scalingRole string = 'DataOwner'

@description('Optional. Principal id of the operator who saves the Teams webhook\'s secret (infra/scripts/set-teams-webhook.sh): Key Vault Secrets Officer on the vault. Empty: none (an owner of the subscription grants it by hand).')
param secretsOfficerPrincipalId string = ''

@description('Optional. Kind of principal the secrets officer is: a user, a group or a service principal.')
@allowed(['User', 'Group', 'ServicePrincipal'])
param secretsOfficerPrincipalType string = 'User'

@description('Optional. default, or recover: the key vault of this environment is soft-deleted (after azd down) and is recovered. Set by infra/scripts/recover-key-vault.sh before each provisioning.')
@allowed(['default', 'recover'])
param keyVaultCreateMode string = 'default'

@description('Optional. Node.js version of the Function App.')
@allowed(['22'])
param nodeVersion string = '22'

@description('Optional. Lead times: days before the start date (Europe/Paris) before which the VPN is not provisioned; empty: at approval.')
param vpnLeadDays string = ''

@description('Optional. Lead times: days before the start date before which the Microsoft 365 licence is not assigned; empty: at approval.')
param licenseLeadDays string = ''

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName, product: 'dsi-onboarding' }

// Single sources of truth, shared with the code (shared/app/queues.ts, shared/adapters/cosmos/containers.ts).
var queues = loadJsonContent('../shared/definitions/service-bus-queues.json')
var cosmosDefinitions = loadJsonContent('../shared/definitions/cosmos-containers.json')
var deploymentContainerName = 'app-package-${resourceToken}'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: rg
  name: 'identity'
  params: { name: 'id-onboarding-${resourceToken}', location: location, tags: tags }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  name: 'monitoring'
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    publisherPrincipalId: identity.outputs.principalId
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  scope: rg
  name: 'storage'
  params: {
    name: 'st${resourceToken}'
    deploymentContainerName: deploymentContainerName
    principalId: identity.outputs.principalId
    location: location
    tags: tags
  }
}

module serviceBus 'modules/service-bus.bicep' = {
  scope: rg
  name: 'service-bus'
  params: {
    name: 'sb-${resourceToken}'
    queues: queues
    appPrincipalId: identity.outputs.principalId
    hrSenderPrincipalId: hrSenderPrincipalId
    hrSenderPrincipalType: hrSenderPrincipalType
    scalingRole: scalingRole
    location: location
    tags: tags
  }
}

module cosmos 'modules/cosmos.bicep' = {
  scope: rg
  name: 'cosmos'
  params: {
    name: 'cosmos-${resourceToken}'
    databaseName: cosmosDefinitions.databaseName
    containers: cosmosDefinitions.containers
    principalId: identity.outputs.principalId
    location: location
    tags: tags
  }
}

// The Teams webhook's secret, saved out of band (infra/scripts/set-teams-webhook.sh), and the Key Vault reference
// the app reads it through (versionless: a new version of the secret is picked up within a day).
var teamsWebhookSecretName = 'teams-webhook-url'

module keyVault 'modules/key-vault.bicep' = {
  scope: rg
  name: 'key-vault'
  params: {
    name: 'kv-${take(resourceToken, 21)}'
    readerPrincipalId: identity.outputs.principalId
    secretsOfficerPrincipalId: secretsOfficerPrincipalId
    secretsOfficerPrincipalType: secretsOfficerPrincipalType
    createMode: keyVaultCreateMode
    location: location
    tags: tags
  }
}

var functionAppName = 'func-onboarding-${resourceToken}'

module functionApp 'modules/function-app.bicep' = {
  scope: rg
  name: 'function-app'
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    identityResourceId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    keyVaultReferencesUseIdentity: true
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    nodeVersion: nodeVersion
    location: location
    tags: tags
    appSettings: {
      // Service Bus trigger and sender: identity-based connection.
      ServiceBusConnection__fullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
      ServiceBusConnection__credential: 'managedidentity'
      ServiceBusConnection__clientId: identity.outputs.clientId
      ServiceBus__maxDeliveryCount: string(queues[0].maxDeliveryCount)
      // Cosmos DB: endpoint only; the managed identity (AZURE_CLIENT_ID) signs in.
      CosmosDb__accountEndpoint: cosmos.outputs.endpoint
      CosmosDb__databaseName: cosmosDefinitions.databaseName
      // Microsoft Graph: application permissions granted to the identity by infra/scripts/grant-graph-permissions.sh.
      Graph__baseUrl: 'https://graph.microsoft.com/v1.0'
      Graph__vpnGroupId: vpnGroupId
      Graph__licenseSkuId: licenseSkuId
      // The API's access tokens: Entra ID v2, audience = the API app registration.
      Auth__issuer: '${environment().authentication.loginEndpoint}${authTenantId}/v2.0'
      Auth__audience: apiClientId
      Auth__jwksUri: '${environment().authentication.loginEndpoint}${authTenantId}/discovery/v2.0/keys'
      Http__maxRequestsInFlight: '64'
      Safety__maxDeparturesPerHour: '25'
      Provisioning__waitingRecheckSeconds: '300'
      // A Temporary Access Pass's lifetime in minutes (the tenant's policy bounds it: 60 to 480 by default).
      Provisioning__accessPassMinutes: '480'
      // Department → the group id of its team: the Teams step (empty: none).
      Provisioning__departmentTeams: string(departmentTeams)
      Provisioning__defaultUsageLocation: defaultUsageLocation
      Provisioning__maxTransientRetries: '8'
      Provisioning__retryBaseSeconds: '2'
      Provisioning__retryMaxSeconds: '300'
      // Empty: no lead time (steps run at approval).
      Provisioning__vpnLeadDays: vpnLeadDays
      Provisioning__licenseLeadDays: licenseLeadDays
      Sweeper__outboxGraceSeconds: '60'
      Sweeper__reservationGraceSeconds: '120'
      Sweeper__stuckAfterSeconds: '900'
      Retention__personalData: 'P5Y'
      Approval__reminderAfter: 'P2D'
      Approval__expiresAfter: 'P10D'
      Approval__undoMinutes: '10'
      Notifications__digestSeconds: '60'
      Notifications__retryBaseSeconds: '10'
      // A secret (the URL carries its signature): never a plain value here, a Key Vault reference resolved by the
      // platform with the app's identity (keyVaultReferenceIdentity), which holds Key Vault Secrets User.
      Notifications__teamsWebhookUrl: '@Microsoft.KeyVault(VaultName=${keyVault.outputs.name};SecretName=${teamsWebhookSecretName})'
      Console__publicUrl: 'https://${functionAppName}.azurewebsites.net/'
      // The console signs people in with MSAL (authorization code with PKCE) as the API's own app registration,
      // which has the console's URL as a single-page application redirect URI (register-api-app.sh).
      Console__signIn: 'entra'
      Console__clientId: apiClientId
      Console__apiScope: 'api://${apiClientId}/access_as_user'
      // Telemetry with Entra ID authentication (local auth is disabled on Application Insights).
      APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.applicationInsightsConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identity.outputs.clientId}'
    }
  }
}

@description('The resource group.')
output AZURE_RESOURCE_GROUP string = rg.name

@description('The Function App name.')
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name

@description('The API base URL.')
output API_BASE_URL string = 'https://${functionApp.outputs.defaultHostName}/api'

@description('The Service Bus namespace (for `npm run hr -- send`).')
output SERVICE_BUS_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace

@description('The key vault (for infra/scripts/set-teams-webhook.sh).')
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name

@description('The Cosmos DB endpoint.')
output COSMOS_ENDPOINT string = cosmos.outputs.endpoint

@description('Principal id of the managed identity (for infra/scripts/grant-graph-permissions.sh).')
output AZURE_MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId

@description('Client id of the managed identity.')
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
