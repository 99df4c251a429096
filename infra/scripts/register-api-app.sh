#!/usr/bin/env sh
# Creates (or updates) the Entra ID app registration of the API with its four app roles, and stores its
# client id in the azd environment (API_CLIENT_ID, the audience of the API's access tokens).
# Idempotent: run it again and nothing changes. Needs: az CLI signed in as an application administrator.
set -eu

if [ -n "${API_CLIENT_ID:-}" ]; then
  echo "API app registration: using API_CLIENT_ID=$API_CLIENT_ID"
  exit 0
fi

name="${API_APP_NAME:-dsi-onboarding-api}"
existing=$(az ad app list --display-name "$name" --query '[0].appId' -o tsv)

roles_file=$(mktemp)
cat > "$roles_file" <<'JSON'
[
  { "value": "HrEvents.Send", "displayName": "Send HR events", "description": "Post HR events (hires, cancellations, start-date changes).", "allowedMemberTypes": ["Application", "User"], "isEnabled": true, "id": "9b1c7e52-3f2c-4a61-9c1e-2f0c5d6a7b01" },
  { "value": "Onboarding.Approve", "displayName": "Approve onboardings", "description": "Approve, reject and retry onboardings; read everything.", "allowedMemberTypes": ["User"], "isEnabled": true, "id": "9b1c7e52-3f2c-4a61-9c1e-2f0c5d6a7b02" },
  { "value": "Onboarding.Read", "displayName": "Read onboardings", "description": "Read onboardings, their history and the stock (auditors).", "allowedMemberTypes": ["User", "Application"], "isEnabled": true, "id": "9b1c7e52-3f2c-4a61-9c1e-2f0c5d6a7b03" },
  { "value": "Inventory.Manage", "displayName": "Manage the laptop stock", "description": "Add laptops to the stock and read it.", "allowedMemberTypes": ["User"], "isEnabled": true, "id": "9b1c7e52-3f2c-4a61-9c1e-2f0c5d6a7b04" }
]
JSON

if [ -z "$existing" ]; then
  existing=$(az ad app create --display-name "$name" --sign-in-audience AzureADMyOrg --app-roles "@$roles_file" --query appId -o tsv)
  az ad sp create --id "$existing" > /dev/null
else
  az ad app update --id "$existing" --app-roles "@$roles_file"
fi
rm -f "$roles_file"

# v2 access tokens (aud = the client id, iss = login.microsoftonline.com/{tenant}/v2.0), as the API validates them.
object_id=$(az ad app show --id "$existing" --query id -o tsv)
az rest --method PATCH --uri "https://graph.microsoft.com/v1.0/applications/$object_id" \
  --headers 'Content-Type=application/json' \
  --body '{"api":{"requestedAccessTokenVersion":2}}'
az ad app update --id "$existing" --identifier-uris "api://$existing"

if command -v azd > /dev/null 2>&1; then azd env set API_CLIENT_ID "$existing"; fi
echo "API app registration: $existing (assign its app roles to users and groups in Enterprise applications)"
