@description('Required. Name of the user-assigned managed identity.')
param name string

@description('Optional. Location of the identity.')
param location string = resourceGroup().location

@description('Optional. Tags of the resource.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

@description('The resource id of the identity.')
output resourceId string = identity.id

@description('The client id of the identity (for AZURE_CLIENT_ID and identity-based connections).')
output clientId string = identity.properties.clientId

@description('The object id of the identity\'s service principal (for role assignments).')
output principalId string = identity.properties.principalId

@description('The name of the identity.')
output name string = identity.name
