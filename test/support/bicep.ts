import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Language, Parser, type Node, type Tree } from 'web-tree-sitter';

export const INFRA_DIR = path.resolve(__dirname, '..', '..', 'infra');

let parser: Parser | undefined;

/** A Bicep parser (tree-sitter-bicep's grammar through web-tree-sitter): syntax and structure, not types. */
export async function bicepParser(): Promise<Parser> {
  if (!parser) {
    await Parser.init();
    // Bytes, not a path: the path form loads fs through a dynamic import, which jest's CommonJS runtime refuses.
    const language = await Language.load(readFileSync(require.resolve('tree-sitter-bicep/tree-sitter-bicep.wasm')));
    parser = new Parser();
    parser.setLanguage(language);
  }
  return parser;
}

export function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return filesUnder(full, ext);
    return full.endsWith(ext) ? [full] : [];
  });
}

export async function parseBicep(file: string): Promise<Tree> {
  const tree = (await bicepParser()).parse(readFileSync(file, 'utf8'));
  if (!tree) throw new Error(`could not parse ${file}`);
  return tree;
}

export function descendants(node: Node, type: string): Node[] {
  const out: Node[] = [];
  const walk = (n: Node) => {
    if (n.type === type) out.push(n);
    for (const child of n.namedChildren) walk(child);
  };
  walk(node);
  return out;
}

/** `resource x 'Type@version' = {...}` declarations: their symbolic name, type and body. */
export function resources(tree: Tree): { name: string; type: string; body: Node }[] {
  return descendants(tree.rootNode, 'resource_declaration').map((r) => {
    const [id, type] = r.namedChildren;
    const body = descendants(r, 'object')[0];
    if (!id || !type || !body) throw new Error(`unexpected resource declaration: ${r.text.slice(0, 80)}`);
    return { name: id.text, type: type.text.replace(/'/g, ''), body };
  });
}

/** The value node of `key: value` anywhere under `node` (first match, depth first). */
export function property(node: Node, key: string): Node | undefined {
  for (const p of descendants(node, 'object_property')) {
    const [k, v] = p.namedChildren;
    if (k?.text === key && v) return v;
  }
  return undefined;
}

/** The keys of an object literal's own properties. */
export function keysOf(object: Node): string[] {
  return object.namedChildren.filter((c) => c.type === 'object_property').map((c) => c.namedChildren[0]?.text ?? '');
}
