@description('Required. Name of the key vault (3 to 24 characters).')
@minLength(3)
@maxLength(24)
param name string

@description('Required. Principal id of the app\'s managed identity: it reads the secrets (Key Vault Secrets User), nothing else.')
param readerPrincipalId string

@description('Optional. URL of the DSI Teams channel\'s Workflows webhook. It carries its own signature (sig=): a secret. Empty: the secret is not written (set it later with az keyvault secret set).')
@secure()
param teamsWebhookUrl string = ''

@description('Required. Name of the webhook\'s secret, as the app\'s Key Vault reference names it.')
param teamsWebhookSecretName string

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Tags of the resources.')
param tags object = {}

// Key Vault Secrets User: read secret contents. https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-secrets-user
var secretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    // Access by Entra ID roles, not access policies; nothing reads it through a template deployment.
    enableRbacAuthorization: true
    enabledForTemplateDeployment: false
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
  }
}

resource teamsWebhook 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(teamsWebhookUrl)) {
  parent: vault
  name: teamsWebhookSecretName
  properties: {
    value: teamsWebhookUrl
    contentType: 'text/uri-list'
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, readerPrincipalId, secretsUserRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUserRoleId)
    principalId: readerPrincipalId
    principalType: 'ServicePrincipal'
  }
}

@description('The key vault\'s name.')
output name string = vault.name
