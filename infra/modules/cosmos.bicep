@description('A container, as shared/definitions/cosmos-containers.json lists it.')
type containerType = {
  @description('Required. Container id.')
  id: string
  @description('Required. Partition key path, e.g. /employeeId.')
  partitionKeyPath: string
  @description('Required. Indexing policy.')
  indexingPolicy: object
}

@description('Required. Name of the Cosmos DB account.')
param name string

@description('Required. Name of the database.')
param databaseName string

@description('Required. The containers to create.')
param containers containerType[]

@description('Required. Principal id of the Function App\'s identity (data-plane contributor).')
param principalId string

@description('Optional. Location of the account.')
param location string = resourceGroup().location

@description('Optional. Tags of the resources.')
param tags object = {}

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    capabilities: [{ name: 'EnableServerless' }]
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    locations: [{ locationName: location, failoverPriority: 0, isZoneRedundant: false }]
    // Entra ID only: account keys cannot be used, for data or for metadata writes.
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-05-15' = {
  parent: account
  name: databaseName
  properties: { resource: { id: databaseName } }
}

resource containerResources 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = [
  for c in containers: {
    parent: database
    name: c.id
    properties: {
      resource: {
        id: c.id
        partitionKey: { paths: [c.partitionKeyPath], kind: 'Hash', version: 2 }
        indexingPolicy: c.indexingPolicy
      }
    }
  }
]

// Cosmos DB Built-in Data Contributor (a data-plane role, assigned with sqlRoleAssignments).
var dataContributorId = '00000000-0000-0000-0000-000000000002'

resource dataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-05-15' = {
  parent: account
  name: guid(account.id, principalId, dataContributorId)
  properties: {
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributorId}'
    principalId: principalId
    scope: account.id
  }
  // The account takes one write at a time on its role assignments: after the containers, not beside them.
  dependsOn: [containerResources]
}

@description('The account endpoint, for identity-based access.')
output endpoint string = account.properties.documentEndpoint

@description('The account name.')
output name string = account.name

@description('The resource id of the account.')
output resourceId string = account.id
