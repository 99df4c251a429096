import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generated, GENERATED_SECTIONS } from '../../cli/generate-docs';
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

  it.each(GENERATED_SECTIONS.map((s) => [s.file, s]))(
    'when %s is compared with the table, then its generated section is up to date (npm run generate)',
    (_file, section) => {
      const { current, expected } = generated(section);
      expect(current).toBe(expected);
    },
  );
});
