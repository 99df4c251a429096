import { parseArgs } from 'node:util';
import { issueToken, loadOrCreateSigningKey } from './dev-issuer';
import { loadLocalSettings, localSettings } from './local-settings';

// `npm run --silent token -- --user <upn> --roles <Role1,Role2>`: one line, a bearer token the local host accepts.
// `--app <name>` instead of `--user`: an application token (client credentials), as the HR system gets one.
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      user: { type: 'string' },
      app: { type: 'string' },
      roles: { type: 'string', default: '' },
      hours: { type: 'string', default: '8' },
    },
  });
  const hours = Number(values.hours);
  if ((values.user === undefined) === (values.app === undefined) || !(hours > 0 && hours <= 24)) {
    console.error(
      'usage: npm run --silent token -- (--user <upn> | --app <name>) --roles <Role1,Role2> [--hours 1..24]',
    );
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
    ...(values.user !== undefined ? { user: values.user } : { app: values.app ?? '' }),
    roles,
    issuer: settings.Auth__issuer,
    audience: settings.Auth__audience,
    lifetimeSeconds: Math.round(hours * 3600),
  });
  process.stdout.write(`${token}\n`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
