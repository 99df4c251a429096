@description('Required. Name of the Log Analytics workspace.')
param logAnalyticsName string

@description('Required. Name of the Application Insights component.')
param applicationInsightsName string

@description('Required. Principal id of the identity that publishes telemetry (Entra ID authentication only).')
param publisherPrincipalId string

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Tags of the resources.')
param tags object = {}

@description('Optional. Days the logs are kept.')
param retentionInDays int = 90

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: retentionInDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    // Ingestion needs an Entra ID token: the connection string alone cannot send telemetry.
    DisableLocalAuth: true
  }
}

// Monitoring Metrics Publisher, for Entra ID-authenticated ingestion by the Function App's identity.
var metricsPublisherRoleId = '3913510d-42f4-4e42-8a64-420c390055eb'

resource publisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: appInsights
  name: guid(appInsights.id, publisherPrincipalId, metricsPublisherRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', metricsPublisherRoleId)
    principalId: publisherPrincipalId
    principalType: 'ServicePrincipal'
  }
}

@description('The Application Insights connection string (an identifier, not a secret: local auth is disabled).')
output applicationInsightsConnectionString string = appInsights.properties.ConnectionString

@description('The resource id of the Application Insights component.')
output applicationInsightsId string = appInsights.id

@description('The resource id of the Log Analytics workspace.')
output logAnalyticsWorkspaceId string = workspace.id
