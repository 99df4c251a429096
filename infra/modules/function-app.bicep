@description('Required. Name of the Function App.')
param name string

@description('Required. Name of the Flex Consumption plan.')
param planName string

@description('Required. Resource id of the user-assigned identity that runs the app.')
param identityResourceId string

@description('Required. Client id of that identity.')
param identityClientId string

@description('Optional. Key Vault references in the settings are resolved with the user-assigned identity (else App Service tries a system-assigned one, which this app does not have).')
param keyVaultReferencesUseIdentity bool = true

@description('Required. Name of the storage account (deployment package and AzureWebJobsStorage).')
param storageAccountName string

@description('Required. Blob endpoint of that account.')
param storageBlobEndpoint string

@description('Required. Blob container of the deployment package.')
param deploymentContainerName string

@description('Required. Application settings (identity-based; a secret only as a Key Vault reference).')
param appSettings object

@description('Optional. Node.js version.')
@allowed(['22'])
param nodeVersion string = '22'

@description('Optional. Most instances the app scales out to.')
param maximumInstanceCount int = 40

@description('Optional. Memory of an instance, in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Tags of the resources.')
param tags object = {}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

// Settings the platform needs, all identity-based; the product's own settings come in appSettings.
var platformSettings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AZURE_CLIENT_ID: identityClientId
  // The web console is served at the root (host.json routePrefix ''): no default landing page there.
  AzureWebJobsDisableHomepage: 'true'
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityResourceId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: keyVaultReferencesUseIdentity ? identityResourceId : 'SystemAssigned'
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: [for s in items(union(platformSettings, appSettings)): { name: s.key, value: s.value }]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityResourceId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: { name: 'node', version: nodeVersion }
    }
  }
}

// No publishing credentials: deployment goes through Entra ID (azd, OIDC).
resource ftp 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'ftp'
  properties: { allow: false }
}

resource scm 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'scm'
  properties: { allow: false }
}

@description('The Function App name.')
output name string = app.name

@description('The default host name, e.g. func-xyz.azurewebsites.net.')
output defaultHostName string = app.properties.defaultHostName

@description('The resource id of the Function App.')
output resourceId string = app.id
