using './main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'onboarding-dev')
param location = readEnvironmentVariable('AZURE_LOCATION', 'francecentral')
param vpnGroupId = readEnvironmentVariable('VPN_GROUP_ID', '')
param apiClientId = readEnvironmentVariable('API_CLIENT_ID', '')
param licenseSkuId = readEnvironmentVariable('LICENSE_SKU_ID', '6fd2c87f-b296-42f0-b197-1e91e994b900')
param hrSenderPrincipalId = readEnvironmentVariable('HR_SENDER_PRINCIPAL_ID', '')
param hrSenderPrincipalType = readEnvironmentVariable('HR_SENDER_PRINCIPAL_TYPE', 'ServicePrincipal')
param scalingReadRole = readEnvironmentVariable('SCALING_READ_ROLE', 'QueueReader')
param defaultUsageLocation = readEnvironmentVariable('DEFAULT_USAGE_LOCATION', 'FR')
param teamsWebhookUrl = readEnvironmentVariable('TEAMS_WEBHOOK_URL', '')
