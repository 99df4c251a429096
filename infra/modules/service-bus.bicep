@description('Settings of one queue, as shared/definitions/service-bus-queues.json lists them.')
type queueType = {
  @description('Required. Queue name.')
  name: string
  @description('Required. Deliveries before Service Bus dead-letters a message.')
  maxDeliveryCount: int
  @description('Required. Peek-lock duration (ISO 8601).')
  lockDuration: string
  @description('Required. Message time to live (ISO 8601).')
  defaultMessageTimeToLive: string
  @description('Required. Window of duplicate detection by messageId (ISO 8601).')
  duplicateDetectionHistoryTimeWindow: string
  @description('Required. Whether the queue is session-enabled.')
  requiresSession: bool
  @description('Required. Whether expired messages go to the dead-letter queue.')
  deadLetteringOnMessageExpiration: bool
}

@description('Required. Name of the Service Bus namespace.')
param name string

@description('Required. The queues to create.')
param queues queueType[]

@description('Required. Principal id of the Function App\'s identity: receives from and sends to every queue.')
param appPrincipalId string

@description('Optional. Principal id of the HR system: sends to hr-events only. Empty: none.')
param hrSenderPrincipalId string = ''

@description('Optional. Kind of principal the HR system is (stated, so that a principal just created is not reported missing).')
@allowed(['ServicePrincipal', 'User', 'Group'])
param hrSenderPrincipalType string = 'ServicePrincipal'

// A Service Bus trigger scales on its queue's message counts, which its scale controller reads as the queue's
// runtime properties: a management operation, which needs the Manage claim. Data Receiver (Listen) cannot, and the
// trigger then falls back to incremental scaling. In Azure RBAC only Azure Service Bus Data Owner grants Manage: it
// is given on each queue, not on the namespace (decision 10).
@description('Optional. DataOwner: Azure Service Bus Data Owner on each queue, so that the triggers scale on message counts. None: incremental scaling.')
@allowed(['DataOwner', 'None'])
param scalingRole string = 'DataOwner'

@description('Optional. Location of the namespace.')
param location string = resourceGroup().location

@description('Optional. Tags of the resources.')
param tags object = {}

resource namespace 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' = {
  name: name
  location: location
  tags: tags
  sku: { name: 'Standard', tier: 'Standard' }
  properties: {
    // Entra ID only: no shared access key can be used.
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource queueResources 'Microsoft.ServiceBus/namespaces/queues@2022-10-01-preview' = [
  for q in queues: {
    parent: namespace
    name: q.name
    properties: {
      maxDeliveryCount: q.maxDeliveryCount
      lockDuration: q.lockDuration
      defaultMessageTimeToLive: q.defaultMessageTimeToLive
      requiresDuplicateDetection: true
      duplicateDetectionHistoryTimeWindow: q.duplicateDetectionHistoryTimeWindow
      requiresSession: q.requiresSession
      deadLetteringOnMessageExpiration: q.deadLetteringOnMessageExpiration
      enablePartitioning: false
    }
  }
]

var roles = {
  dataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  dataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  dataOwner: '090c5cfd-751d-490a-894a-3ce6f1109419'
}

// The Manage claim the scale controller needs to read each queue's message counts
// (https://learn.microsoft.com/azure/azure-functions/functions-target-based-scaling: "use Manage rights on resources
// for the most efficient scaling"), on that queue alone.
resource appManagesForScaling 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (q, i) in queues: if (scalingRole == 'DataOwner') {
    scope: queueResources[i]
    name: guid(queueResources[i].id, appPrincipalId, roles.dataOwner)
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.dataOwner)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

// Least privilege: each role on each queue, not on the namespace.
resource appReceives 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (q, i) in queues: {
    scope: queueResources[i]
    name: guid(queueResources[i].id, appPrincipalId, roles.dataReceiver)
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.dataReceiver)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource appSends 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (q, i) in queues: {
    scope: queueResources[i]
    name: guid(queueResources[i].id, appPrincipalId, roles.dataSender)
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.dataSender)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource hrEvents 'Microsoft.ServiceBus/namespaces/queues@2022-10-01-preview' existing = {
  parent: namespace
  name: 'hr-events'
}

resource hrSends 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(hrSenderPrincipalId)) {
  scope: hrEvents
  name: guid(hrEvents.id, hrSenderPrincipalId, roles.dataSender)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.dataSender)
    principalId: hrSenderPrincipalId
    principalType: hrSenderPrincipalType
  }
  dependsOn: [queueResources]
}

@description('The namespace name.')
output name string = namespace.name

@description('The fully qualified namespace, for identity-based connections.')
output fullyQualifiedNamespace string = '${namespace.name}.servicebus.windows.net'

@description('The resource id of the namespace.')
output resourceId string = namespace.id
