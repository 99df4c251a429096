/** The HTTP status of a Cosmos SDK error, if it is one. */
export function cosmosStatus(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = err.code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}
