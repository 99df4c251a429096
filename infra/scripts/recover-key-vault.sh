#!/usr/bin/env sh
# Before provisioning: does this environment's key vault wait in the soft-deleted state? After `azd down` it does,
# for 90 days: purge protection (infra/modules/key-vault.bicep) forbids purging it, and its name, fixed by the
# environment, stays taken meanwhile, so a new vault of that name cannot be created. The vault is recovered instead
# (createMode 'recover'), with its secrets: the Teams webhook survives `azd down` and `azd up`
# (https://learn.microsoft.com/azure/key-vault/general/key-vault-recovery).
# Sets KEY_VAULT_CREATE_MODE in the azd environment ('recover' or 'default'), which main.bicepparam reads.
# Needs: az CLI signed in with Microsoft.KeyVault/locations/deletedVaults/read on the subscription (Contributor has it).
set -eu

env_name="${AZURE_ENV_NAME:?set AZURE_ENV_NAME (azd sets it)}"
location="${AZURE_LOCATION:?set AZURE_LOCATION (azd sets it)}"

# A deleted vault keeps its tags and location: the one of this environment (tags of main.bicep) in this region.
if deleted=$(az keyvault list-deleted --resource-type vault \
  --query "[?properties.tags.\"azd-env-name\"=='$env_name' && properties.location=='$location'].name | [0]" -o tsv); then
  :
else
  echo "Key vault: the deleted vaults could not be listed; provisioning creates the vault (it fails if one of its name is deleted)" >&2
  deleted=""
fi

if [ -n "$deleted" ]; then
  echo "Key vault $deleted is soft-deleted (purge protection keeps it 90 days): it is recovered, with its secrets"
  mode=recover
else
  mode=default
fi
if command -v azd > /dev/null 2>&1; then azd env set KEY_VAULT_CREATE_MODE "$mode"; fi
