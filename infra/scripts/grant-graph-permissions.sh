#!/usr/bin/env sh
# Grants the Function App's managed identity the Microsoft Graph application permissions it needs, least
# privilege. Bicep cannot grant them (they are app role assignments on Microsoft Graph's service principal).
# Idempotent. Needs: az CLI signed in as a Privileged Role Administrator (or Global Administrator).
#   AZURE_MANAGED_IDENTITY_PRINCIPAL_ID  the identity's principal id (an output of infra/main.bicep; azd sets it)
set -eu

if [ "${SKIP_GRAPH_GRANT:-}" = "true" ]; then
  echo "Graph permissions: skipped (SKIP_GRAPH_GRANT=true); an administrator runs this script once"
  exit 0
fi

principal="${AZURE_MANAGED_IDENTITY_PRINCIPAL_ID:?set AZURE_MANAGED_IDENTITY_PRINCIPAL_ID (an output of main.bicep)}"
graph_app_id=00000003-0000-0000-c000-000000000000
graph_sp=$(az ad sp show --id "$graph_app_id" --query id -o tsv)

# User.Read.All: find the agent's account; GroupMember.ReadWrite.All: the VPN group membership;
# LicenseAssignment.ReadWrite.All: read seats, assign and remove the licence;
# DeviceManagementServiceConfig.ReadWrite.All: assign and unassign the Autopilot device's user.
for permission in User.Read.All GroupMember.ReadWrite.All LicenseAssignment.ReadWrite.All DeviceManagementServiceConfig.ReadWrite.All; do
  role_id=$(az ad sp show --id "$graph_app_id" --query "appRoles[?value=='$permission' && contains(allowedMemberTypes, 'Application')].id | [0]" -o tsv)
  already=$(az rest --method GET \
    --uri "https://graph.microsoft.com/v1.0/servicePrincipals/$principal/appRoleAssignments" \
    --query "value[?appRoleId=='$role_id'] | length(@)" -o tsv)
  if [ "$already" = "0" ]; then
    az rest --method POST \
      --uri "https://graph.microsoft.com/v1.0/servicePrincipals/$principal/appRoleAssignments" \
      --headers 'Content-Type=application/json' \
      --body "{\"principalId\":\"$principal\",\"resourceId\":\"$graph_sp\",\"appRoleId\":\"$role_id\"}" > /dev/null
    echo "granted $permission"
  else
    echo "already granted: $permission"
  fi
done
