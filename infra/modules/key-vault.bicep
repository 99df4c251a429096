@description('Required. Name of the key vault (3 to 24 characters).')
@minLength(3)
@maxLength(24)
param name string

@description('Required. Principal id of the app\'s managed identity: it reads the secrets (Key Vault Secrets User), nothing else.')
param readerPrincipalId string

@description('Optional. Principal id of the operator (a person or a group) who saves the Teams webhook\'s secret (infra/scripts/set-teams-webhook.sh): Key Vault Secrets Officer on this vault alone. Empty: none.')
param secretsOfficerPrincipalId string = ''

@description('Optional. Kind of principal the secrets officer is.')
@allowed(['User', 'Group', 'ServicePrincipal'])
param secretsOfficerPrincipalType string = 'User'

@description('Optional. default: create (or update) the vault. recover: recover the soft-deleted vault of this name, with its secrets (after azd down; infra/scripts/recover-key-vault.sh decides).')
@allowed(['default', 'recover'])
param createMode string = 'default'

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Tags of the resources.')
param tags object = {}

// Key Vault Secrets User: read secret contents. https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-secrets-user
var secretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'
// Key Vault Secrets Officer: any action on secrets (set a new version). https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-secrets-officer
var secretsOfficerRoleId = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

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
    // With purge protection a deleted vault cannot be purged: for 90 days its name is taken, and the way back is to
    // recover it (https://learn.microsoft.com/azure/key-vault/general/key-vault-recovery).
    enablePurgeProtection: true
    createMode: createMode
  }
}

// No secret is declared here: the Teams webhook's is saved out of band (infra/scripts/set-teams-webhook.sh), so that
// no parameter, deployment or azd environment file ever holds it, and no provisioning writes an old value back.

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, readerPrincipalId, secretsUserRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUserRoleId)
    principalId: readerPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource secretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(secretsOfficerPrincipalId)) {
  scope: vault
  name: guid(vault.id, secretsOfficerPrincipalId, secretsOfficerRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsOfficerRoleId)
    principalId: secretsOfficerPrincipalId
    principalType: secretsOfficerPrincipalType
  }
}

@description('The key vault\'s name.')
output name string = vault.name
