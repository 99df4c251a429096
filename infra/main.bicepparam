using './main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'onboarding-dev')
param location = readEnvironmentVariable('AZURE_LOCATION', 'francecentral')
param vpnGroupId = readEnvironmentVariable('VPN_GROUP_ID', '')
param apiClientId = readEnvironmentVariable('API_CLIENT_ID', '')
param licenseSkuId = readEnvironmentVariable('LICENSE_SKU_ID', '6fd2c87f-b296-42f0-b197-1e91e994b900')
param departmentTeams = json(readEnvironmentVariable('DEPARTMENT_TEAMS', '{}'))
param hrSenderPrincipalId = readEnvironmentVariable('HR_SENDER_PRINCIPAL_ID', '')
param hrSenderPrincipalType = readEnvironmentVariable('HR_SENDER_PRINCIPAL_TYPE', 'ServicePrincipal')
param scalingRole = readEnvironmentVariable('SCALING_ROLE', 'DataOwner')
param defaultUsageLocation = readEnvironmentVariable('DEFAULT_USAGE_LOCATION', 'FR')
param secretsOfficerPrincipalId = readEnvironmentVariable('KEY_VAULT_SECRETS_OFFICER_PRINCIPAL_ID', '')
param secretsOfficerPrincipalType = readEnvironmentVariable('KEY_VAULT_SECRETS_OFFICER_PRINCIPAL_TYPE', 'User')
// Set before each provisioning by infra/scripts/recover-key-vault.sh (the preprovision hook).
param keyVaultCreateMode = readEnvironmentVariable('KEY_VAULT_CREATE_MODE', 'default')
