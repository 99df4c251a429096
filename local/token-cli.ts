import { parseArgs } from 'node:util';
import { issueToken, loadOrCreateSigningKey } from './dev-issuer';
import { loadLocalSettings, localSettings } from './local-settings';

// `npm run --silent token -- --user <upn> --roles <Role1,Role2>`: one line, a bearer token the local host accepts.
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      user: { type: 'string' },
      roles: { type: 'string', default: '' },
      hours: { type: 'string', default: '8' },
    },
  });
  if (!values.user) {
    console.error('usage: npm run --silent token -- --user <upn> --roles <Role1,Role2> [--hours 8]');
    process.exit(2);
  }
  loadLocalSettings();
  const settings = localSettings();
  const key = await loadOrCreateSigningKey(settings.LOCAL_STATE_DIR);
  const roles = values.roles
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const token = await issueToken(key, {
    user: values.user,
    roles,
    issuer: settings.Auth__issuer,
    audience: settings.Auth__audience,
    lifetimeSeconds: Math.round(Number(values.hours) * 3600),
  });
  process.stdout.write(`${token}\n`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
