#!/usr/bin/env sh
# Creates (or brings up to date) the Entra ID app registration of the API and stores its client id in the
# azd environment (API_CLIENT_ID, the audience of the API's access tokens). Idempotent: run it again and
# nothing changes. Run also when API_CLIENT_ID is already set: the registration is checked and mended.
# Needs: az CLI signed in as an Application Administrator (or the app's owner).
#
# What the API relies on:
# - four app roles: people hold Onboarding.Approve and Inventory.Manage; HrEvents.Send and Onboarding.Read
#   may also be granted to applications (the HR system, an audit export);
# - v2 access tokens (api.requestedAccessTokenVersion = 2): issuer login.microsoftonline.com/{tenant}/v2.0,
#   audience the client id (https://learn.microsoft.com/graph/api/resources/apiapplication);
# - the optional claim idtyp on access tokens, so that an application token says "app"
#   (https://learn.microsoft.com/entra/identity-platform/optional-claims-reference);
# - a delegated scope, access_as_user, so that the web console signs people in for this API;
# - appRoleAssignmentRequired false on the service principal: anyone of the tenant may sign in, as the contract's
#   managers do (« Mes arrivées », GET /api/me/arrivals: their own arrivals, no role needed); every other route
#   checks one of the app roles in the token, so an account without a role reads nothing else
#   (https://learn.microsoft.com/graph/api/resources/serviceprincipal).
#
# Needs directory rights that a deployment pipeline should not hold: with SKIP_API_APP_REGISTRATION=true (the
# deploy workflow sets it, and so does a person without them) it changes nothing and only checks that API_CLIENT_ID
# is given; an administrator then runs it once (and again after the first provisioning, for the console's URL).
set -eu

name="${API_APP_NAME:-dsi-onboarding-api}"
app_id="${API_CLIENT_ID:-}"

if [ "${SKIP_API_APP_REGISTRATION:-}" = "true" ]; then
  if [ -z "$app_id" ]; then
    echo "API app registration: skipped (SKIP_API_APP_REGISTRATION=true), but API_CLIENT_ID is not set: the Bicep needs it" >&2
    exit 1
  fi
  echo "API app registration: skipped (SKIP_API_APP_REGISTRATION=true); using API_CLIENT_ID $app_id, kept up to date by an administrator"
  exit 0
fi

errors=$(mktemp)
roles_file=$(mktemp)
trap 'rm -f "$roles_file" "$errors"' EXIT

# az, with a refusal for want of directory rights said as what to do, not as az's traceback.
directory() {
  if az "$@" 2> "$errors"; then return 0; fi
  if grep -qiE 'Insufficient privileges|Authorization_RequestDenied|Forbidden' "$errors"; then
    echo "API app registration: the signed-in account may not read or change app registrations (az $1 $2 $3 was refused)." >&2
    echo "It needs Application Administrator, or to own the app. Have an administrator run infra/scripts/register-api-app.sh;" >&2
    echo "meanwhile set API_CLIENT_ID and SKIP_API_APP_REGISTRATION=true (docs/operations.md, Deploy)." >&2
  else
    cat "$errors" >&2
  fi
  exit 1
}

# A read first: an account without directory rights is stopped before anything is attempted.
if [ -z "$app_id" ]; then
  app_id=$(directory ad app list --display-name "$name" --query '[0].appId' -o tsv)
else
  directory ad app show --id "$app_id" --query appId -o tsv > /dev/null
fi

cat > "$roles_file" <<'JSON'
[
  { "value": "HrEvents.Send", "displayName": "Send HR events", "description": "Post HR events (hires, cancellations, start-date changes, leavers, priorities).", "allowedMemberTypes": ["Application", "User"], "isEnabled": true, "id": "9b1c7e52-3f2c-4a61-9c1e-2f0c5d6a7b01" },
  { "value": "Onboarding.Approve", "displayName": "Approve onboardings", "description": "Approve, reject and retry onboardings, change priorities; read everything.", "allowedMemberTypes": ["User"], "isEnabled": true, "id": "9b1c7e52-3f2c-4a61-9c1e-2f0c5d6a7b02" },
  { "value": "Onboarding.Read", "displayName": "Read onboardings", "description": "Read onboardings, their history, reports and the stock (auditors).", "allowedMemberTypes": ["User", "Application"], "isEnabled": true, "id": "9b1c7e52-3f2c-4a61-9c1e-2f0c5d6a7b03" },
  { "value": "Inventory.Manage", "displayName": "Manage the laptop stock", "description": "Add laptops to the stock, record returns and deliveries, read it.", "allowedMemberTypes": ["User"], "isEnabled": true, "id": "9b1c7e52-3f2c-4a61-9c1e-2f0c5d6a7b04" }
]
JSON

if [ -z "$app_id" ]; then
  app_id=$(directory ad app create --display-name "$name" --sign-in-audience AzureADMyOrg --query appId -o tsv)
  echo "API app registration created: $app_id"
fi
directory ad app update --id "$app_id" --app-roles "@$roles_file" --identifier-uris "api://$app_id"

object_id=$(directory ad app show --id "$app_id" --query id -o tsv)
# Keep the scope's id once it exists (changing it would revoke every consent to it).
scope_id=$(directory ad app show --id "$app_id" --query "api.oauth2PermissionScopes[?value=='access_as_user'].id | [0]" -o tsv)
[ -n "$scope_id" ] || scope_id=$(cat /proc/sys/kernel/random/uuid 2> /dev/null || uuidgen)
directory rest --method PATCH --uri "https://graph.microsoft.com/v1.0/applications/$object_id" \
  --headers 'Content-Type=application/json' \
  --body "{
    \"api\": {
      \"requestedAccessTokenVersion\": 2,
      \"oauth2PermissionScopes\": [{
        \"id\": \"$scope_id\", \"value\": \"access_as_user\", \"type\": \"User\", \"isEnabled\": true,
        \"adminConsentDisplayName\": \"Use the DSI onboarding API\",
        \"adminConsentDescription\": \"Lets the DSI console call the onboarding API as the signed-in person, within that person's app roles.\",
        \"userConsentDisplayName\": \"Use the DSI onboarding API\",
        \"userConsentDescription\": \"Lets the DSI console call the onboarding API on your behalf.\"
      }]
    },
    \"optionalClaims\": { \"accessToken\": [{ \"name\": \"idtyp\", \"essential\": false, \"additionalProperties\": [] }] }
  }"

sp_id=$(az ad sp show --id "$app_id" --query id -o tsv 2> /dev/null || true)
[ -n "$sp_id" ] || sp_id=$(directory ad sp create --id "$app_id" --query id -o tsv)
directory rest --method PATCH --uri "https://graph.microsoft.com/v1.0/servicePrincipals/$sp_id" \
  --headers 'Content-Type=application/json' --body '{"appRoleAssignmentRequired": false}'

# The API validates v2 tokens only: refuse to go on with a registration that would issue v1 tokens.
version=$(directory ad app show --id "$app_id" --query api.requestedAccessTokenVersion -o tsv)
if [ "$version" != "2" ]; then
  echo "API app registration $app_id issues v$version access tokens; the API accepts v2 only" >&2
  exit 1
fi

# The web console signs people in as this same registration (a single-page application: authorization code
# with PKCE, no secret), redirected back to the console's URL (https://<function app>.azurewebsites.net/).
# https://learn.microsoft.com/entra/identity-platform/scenario-spa-app-registration
console_url="${CONSOLE_URL:-}"
if [ -z "$console_url" ] && command -v azd > /dev/null 2>&1; then
  app_name=$(azd env get-value AZURE_FUNCTION_APP_NAME 2> /dev/null || true)
  [ -z "$app_name" ] || console_url="https://$app_name.azurewebsites.net/"
fi
if [ -n "$console_url" ]; then
  directory rest --method PATCH --uri "https://graph.microsoft.com/v1.0/applications/$object_id" \
    --headers 'Content-Type=application/json' --body "{ \"spa\": { \"redirectUris\": [\"$console_url\"] } }"
  echo "web console redirect URI: $console_url"
fi

if command -v azd > /dev/null 2>&1; then azd env set API_CLIENT_ID "$app_id"; fi
echo "API app registration: $app_id (assign its app roles to people, groups and the HR system's app in Enterprise applications)"
