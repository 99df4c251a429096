import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { GRAPH_APPLICATION_PERMISSIONS, GRAPH_CALLS } from '../shared/adapters/graph/graph-permissions';

/**
 * `npm run generate`: writes the parts of files that come from tables in code, between their markers:
 * the Graph permissions of the grant script and of docs/operations.md (shared/adapters/graph/graph-permissions.ts).
 * `--check` writes nothing and fails when a file is not what the table says (the tests run it).
 */
const root = path.resolve(__dirname, '..');

interface Section {
  file: string;
  begin: string;
  end: string;
  content: () => string;
}

export const GENERATED_SECTIONS: Section[] = [
  {
    file: 'infra/scripts/grant-graph-permissions.sh',
    begin: '# BEGIN GENERATED: graph permissions (npm run generate, from shared/adapters/graph/graph-permissions.ts)',
    end: '# END GENERATED',
    content: () =>
      [
        ...GRAPH_CALLS.map((c) => `#   ${c.permission}: ${c.call} (${c.use})`),
        `permissions="${GRAPH_APPLICATION_PERMISSIONS.join(' ')}"`,
      ].join('\n'),
  },
  {
    file: 'docs/operations.md',
    begin: '<!-- BEGIN GENERATED: graph permissions (npm run generate) -->',
    end: '<!-- END GENERATED -->',
    content: () =>
      [
        '| Graph call | what for | application permission (least privileged) | reference |',
        '| --- | --- | --- | --- |',
        ...GRAPH_CALLS.map((c) => `| \`${c.call}\` | ${c.use} | \`${c.permission}\` | [docs](${c.reference}) |`),
      ].join('\n'),
  },
];

/**
 * The file with its generated section as the table says (Markdown formatted as Prettier formats the rest);
 * throws when the markers are missing.
 */
export async function generated(section: Section): Promise<{ current: string; expected: string }> {
  const file = path.join(root, section.file);
  const current = readFileSync(file, 'utf8');
  const start = current.indexOf(section.begin);
  const stop = current.indexOf(section.end, start);
  if (start < 0 || stop < 0) throw new Error(`${section.file} lacks the markers of its generated section`);
  const raw = `${current.slice(0, start + section.begin.length)}\n${section.content()}\n${current.slice(stop)}`;
  const expected = file.endsWith('.md') ? await format(raw, { ...(await resolveConfig(file)), filepath: file }) : raw;
  return { current, expected };
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const section of GENERATED_SECTIONS) {
    const { current, expected } = await generated(section);
    if (current === expected) continue;
    stale += 1;
    if (check) console.error(`${section.file} is out of date: run npm run generate`);
    else writeFileSync(path.join(root, section.file), expected);
  }
  if (check && stale > 0) process.exit(1);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
