#!/usr/bin/env sh
# Saves the DSI Teams channel's Workflows webhook URL as a new version of the Key Vault secret teams-webhook-url,
# out of band: the URL carries its own signature (sig=), so it goes from the operator straight to Key Vault. It is
# read from standard input (never an argument: arguments show in process lists and shell history), written to a
# file readable by its owner only for `az keyvault secret set --file`, then deleted; it is never echoed, and never
# an azd environment value or a Bicep parameter (either would put it in .azure/<env>/.env in plain text, and write
# it back over a rotated secret at every `azd provision`).
#   printf '%s' "$URL" | infra/scripts/set-teams-webhook.sh     (or run it and paste the URL, then Ctrl-D)
# The app reads it through its Key Vault reference; a new version is picked up within a day, or at once after a
# restart of the Function App.
# Needs: az CLI signed in with Key Vault Secrets Officer on the vault (infra/main.bicep: secretsOfficerPrincipalId).
#   AZURE_KEY_VAULT_NAME  the vault (an output of main.bicep; azd env get-value AZURE_KEY_VAULT_NAME)
set -eu

vault="${AZURE_KEY_VAULT_NAME:-}"
if [ -z "$vault" ] && command -v azd > /dev/null 2>&1; then
  vault=$(azd env get-value AZURE_KEY_VAULT_NAME 2> /dev/null || true)
fi
[ -n "$vault" ] || { echo "set AZURE_KEY_VAULT_NAME (an output of infra/main.bicep)" >&2; exit 1; }

[ -t 0 ] && echo "Paste the workflow's URL, then Ctrl-D:" >&2
url=$(cat)
url=$(printf '%s' "$url" | tr -d '\r\n')
case "$url" in
  https://*sig=*) ;;
  *)
    echo "not the https URL of a Workflows webhook with its signature (sig=): nothing saved" >&2
    exit 1
    ;;
esac

umask 077
file=$(mktemp)
trap 'rm -f "$file"' EXIT
printf '%s' "$url" > "$file"
az keyvault secret set --vault-name "$vault" --name teams-webhook-url --file "$file" --encoding utf-8 \
  --content-type text/uri-list --query id -o tsv > /dev/null
echo "teams-webhook-url: a new version saved in $vault (the app takes it within a day, at once after a restart)"
