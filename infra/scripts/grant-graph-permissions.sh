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

errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
# az, with a refusal for want of directory rights said as what to do, not as az's traceback.
directory() {
  if az "$@" 2> "$errors"; then return 0; fi
  if grep -qiE 'Insufficient privileges|Authorization_RequestDenied|Forbidden' "$errors"; then
    echo "Graph permissions: the signed-in account may not read or grant app role assignments (az $1 $2 $3 was refused)." >&2
    echo "It needs Privileged Role Administrator. Have one run infra/scripts/grant-graph-permissions.sh; meanwhile set" >&2
    echo "SKIP_GRAPH_GRANT=true (docs/operations.md, Deploy)." >&2
  else
    cat "$errors" >&2
  fi
  exit 1
}

graph_sp=$(directory ad sp show --id "$graph_app_id" --query id -o tsv)

# Each Graph call the product makes, with its least privileged application permission:
# BEGIN GENERATED: graph permissions (npm run generate, from shared/adapters/graph/graph-permissions.ts)
#   User.Read.All: GET /users/{upn} (find the agent's account (four-eyes, every step), an agent in post's department, office and manager)
#   User.Read.All: GET /users (find an agent in post named by their employee id ($filter=employeeId eq, the CODIR's list))
#   User.ReadWrite.All: PATCH /users/{id} (set usageLocation when the account has none, before the licence)
#   GroupMember.ReadWrite.All: POST /groups/{id}/members/$ref (add the agent to the VPN access group)
#   GroupMember.ReadWrite.All: DELETE /groups/{id}/members/{id}/$ref (remove the agent from the VPN access group (undo, leaver))
#   LicenseAssignment.Read.All: GET /subscribedSkus (read the seats of the licence)
#   LicenseAssignment.ReadWrite.All: POST /users/{id}/assignLicense (assign and remove the Microsoft 365 licence)
#   DeviceManagementServiceConfig.Read.All: GET /deviceManagement/windowsAutopilotDeviceIdentities (find the laptop's Autopilot identity by serial number)
#   DeviceManagementServiceConfig.ReadWrite.All: POST /deviceManagement/windowsAutopilotDeviceIdentities/{id}/assignUserToDevice (assign the laptop to the agent)
#   DeviceManagementServiceConfig.ReadWrite.All: POST /deviceManagement/windowsAutopilotDeviceIdentities/{id}/unassignUserFromDevice (take the laptop back from the agent)
#   TeamMember.Read.All: GET /teams/{id}/members (see whether the agent is a member of their department's team already)
#   TeamMember.ReadWriteNonOwnerRole.All: POST /teams/{id}/members (make the agent a member of their department's team)
#   TeamMember.ReadWriteNonOwnerRole.All: DELETE /teams/{id}/members/{membership-id} (take the agent out of a team (undo, move, leaver))
#   UserAuthMethod-TAP.ReadWrite.All: POST /users/{id}/authentication/temporaryAccessPassMethods (a Temporary Access Pass for a first sign-in from home (narrower than UserAuthenticationMethod.ReadWrite.All, which Graph also accepts))
permissions="User.Read.All User.ReadWrite.All GroupMember.ReadWrite.All LicenseAssignment.Read.All LicenseAssignment.ReadWrite.All DeviceManagementServiceConfig.Read.All DeviceManagementServiceConfig.ReadWrite.All TeamMember.Read.All TeamMember.ReadWriteNonOwnerRole.All UserAuthMethod-TAP.ReadWrite.All"
# END GENERATED
for permission in $permissions; do
  role_id=$(directory ad sp show --id "$graph_app_id" --query "appRoles[?value=='$permission' && contains(allowedMemberTypes, 'Application')].id | [0]" -o tsv)
  already=$(directory rest --method GET \
    --uri "https://graph.microsoft.com/v1.0/servicePrincipals/$principal/appRoleAssignments" \
    --query "value[?appRoleId=='$role_id'] | length(@)" -o tsv)
  if [ "$already" = "0" ]; then
    directory rest --method POST \
      --uri "https://graph.microsoft.com/v1.0/servicePrincipals/$principal/appRoleAssignments" \
      --headers 'Content-Type=application/json' \
      --body "{\"principalId\":\"$principal\",\"resourceId\":\"$graph_sp\",\"appRoleId\":\"$role_id\"}" > /dev/null
    echo "granted $permission"
  else
    echo "already granted: $permission"
  fi
done

# Exactly the table: a Graph permission granted earlier and no longer needed is removed.
az rest --method GET --uri "https://graph.microsoft.com/v1.0/servicePrincipals/$principal/appRoleAssignments" \
  --query "value[?resourceId=='$graph_sp'].[id, appRoleId]" -o tsv |
  while read -r assignment role_id; do
    value=$(az ad sp show --id "$graph_app_id" --query "appRoles[?id=='$role_id'].value | [0]" -o tsv)
    case " $permissions " in
      *" $value "*) ;;
      *)
        az rest --method DELETE \
          --uri "https://graph.microsoft.com/v1.0/servicePrincipals/$principal/appRoleAssignments/$assignment" > /dev/null
        echo "revoked $value (not in the table)"
        ;;
    esac
  done
