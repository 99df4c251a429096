import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GRAPH_APPLICATION_PERMISSIONS } from '../../shared/adapters/graph/graph-permissions';

const root = path.resolve(__dirname, '..', '..');

describe('the Graph permission table is the one source of the grant', () => {
  it('when the grant script is read, then it grants exactly the permissions of the table', () => {
    const script = readFileSync(path.join(root, 'infra/scripts/grant-graph-permissions.sh'), 'utf8');
    const line = /^permissions="([^"]*)"$/m.exec(script);
    expect(line?.[1]?.split(' ').sort()).toEqual([...GRAPH_APPLICATION_PERMISSIONS].sort());
    // and it loops over that list only, revoking what is not in it
    expect(script).toContain('for permission in $permissions; do');
    expect(script).toContain('case " $permissions " in');
  });

  it('when the generated sections (grant script, docs/operations.md) are compared with the table, then they are up to date (npm run generate)', () => {
    const check = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'cli/generate-docs.ts', '--check'],
      { cwd: root, encoding: 'utf8' },
    );
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    const docs = readFileSync(path.join(root, 'docs/operations.md'), 'utf8');
    for (const permission of GRAPH_APPLICATION_PERMISSIONS) expect(docs).toContain(`\`${permission}\``);
  });
});
