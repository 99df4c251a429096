import type { ContainerDefinition } from '../shared/adapters/cosmos/containers';

// What Cosmos DB refuses in a query's ORDER BY and the embedded endpoint would serve anyway
// (https://learn.microsoft.com/azure/cosmos-db/nosql/query/order-by): ORDER BY on one property needs that
// property range-indexed (included, not excluded, by the container's indexing policy). ORDER BY on two or
// more properties needs a matching composite index: the embedded query engine (@zeit/cosmosdb-query) already
// refuses those, with Cosmos DB's message (and also refuses the reversed orders Cosmos DB would serve: stricter,
// never kinder). A query refused here would be refused by Cosmos DB with 400.

export const NO_RANGE_INDEX = 'Order-by item requires a range index to be defined on the corresponding index path.';

interface OrderItem {
  path: string;
  descending: boolean;
}

/** The ORDER BY items of a query, as index paths (`c.decision.at DESC` → `/decision/at`, descending). */
export function orderByItems(query: string): OrderItem[] {
  const match = /\border\s+by\s+([\s\S]+?)\s*(?:\boffset\b[\s\S]*)?$/i.exec(query);
  if (!match?.[1]) return [];
  return match[1].split(',').map((raw) => {
    const [expr = '', direction = ''] = raw.trim().split(/\s+/);
    const path = expr
      .replace(/^[A-Za-z_][A-Za-z0-9_]*/, '')
      .replace(/\[\s*["']([^"']+)["']\s*\]/g, '.$1')
      .split('.')
      .filter(Boolean)
      .join('/');
    return { path: `/${path}`, descending: direction.toUpperCase() === 'DESC' };
  });
}

function matches(pattern: string, path: string): number {
  // `/a/?` indexes the scalar at /a; `/a/*` everything under /a; `/*` everything. Answers how specific it is.
  if (pattern === `${path}/?`) return pattern.length + 1;
  if (pattern.endsWith('/*') && `${path}/`.startsWith(pattern.slice(0, -1))) return pattern.length;
  return -1;
}

function rangeIndexed(policy: ContainerDefinition['indexingPolicy'], path: string): boolean {
  const best = (paths: { path: string }[]) => Math.max(-1, ...paths.map((p) => matches(p.path, path)));
  const included = best(policy.includedPaths);
  return included >= 0 && included > best(policy.excludedPaths);
}

/** Why Cosmos DB would refuse this query's ORDER BY on one property in this container, or null. */
export function orderByRefusal(definition: ContainerDefinition, query: string): string | null {
  const [item, ...more] = orderByItems(query);
  if (!item || more.length > 0) return null;
  return rangeIndexed(definition.indexingPolicy, item.path) ? null : NO_RANGE_INDEX;
}
