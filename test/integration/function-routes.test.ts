import { allFunctions } from '../../functions/all-functions';
import { hostRoute, type HttpFunctionDefinition } from '../../functions/definition';
import { inHostOrder, matchRoute } from '../../local/http-listener';

// The Functions host tries HTTP routes in the order of the functions' names and takes the first that
// matches: it does not prefer `onboardings/export` to `onboardings/{id}` (unlike ASP.NET Core), see
// https://github.com/Azure/azure-functions-host/issues/9876 and
// https://github.com/Azure/azure-functions-nodejs-library/issues/300. The local host does the same
// (`inHostOrder`), and this holds the product to names that pick the right function.

const http = allFunctions(() => Promise.reject(new Error('not used'))).filter(
  (d): d is HttpFunctionDefinition => d.kind === 'http',
);

/** The route's segments, once per length an optional last parameter allows. */
function shapes(route: string): string[][] {
  const segments = route.split('/');
  return /^\{\w+\?\}$/.test(segments.at(-1) ?? '') ? [segments, segments.slice(0, -1)] : [segments];
}

const isParam = (s: string) => /^\{.*\}$/.test(s);

/** A path both routes match, if there is one: literal where either has a literal, `x` where both have parameters. */
function commonPath(a: string[], b: string[]): string | null {
  if (a.length !== b.length) return null;
  const path: string[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (!isParam(x) && !isParam(y) && x.toLowerCase() !== y.toLowerCase()) return null;
    path.push(isParam(x) ? (isParam(y) ? 'x' : y) : x);
  }
  return path.join('/');
}

describe('HTTP routes on the Functions host', () => {
  it('when two functions of one method can match the same path, then the one meant for it comes first in name order', () => {
    const ordered = inHostOrder(http);
    const wrong: string[] = [];
    for (const method of ['GET', 'POST', 'PATCH', 'DELETE'] as const) {
      const fns = ordered.filter((f) => f.methods.includes(method));
      for (const a of fns) {
        for (const b of fns) {
          if (a === b) continue;
          for (const sa of shapes(hostRoute(a))) {
            for (const sb of shapes(hostRoute(b))) {
              const path = commonPath(sa, sb);
              if (path === null) continue;
              // The path's intended function is the one with a literal where the other has a parameter.
              const meant = sa.some((s, i) => !isParam(s) && isParam(sb[i] ?? '')) ? a : b;
              const first = fns.find((f) => matchRoute(hostRoute(f), path));
              if (first !== meant) wrong.push(`${method} /${path}: ${first?.name ?? 'none'} before ${meant.name}`);
            }
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('when the console is routed, then no route of the API can reach it, and it reaches no API path', () => {
    const consoleFns = http.filter((f) => f.root);
    expect(consoleFns.map((f) => hostRoute(f)).sort()).toEqual(['console/{file}', '{page?}']);
    for (const api of http.filter((f) => !f.root)) {
      expect(hostRoute(api).startsWith('api/')).toBe(true);
      for (const c of consoleFns) {
        for (const shape of shapes(hostRoute(api))) expect(matchRoute(hostRoute(c), shape.join('/'))).toBeNull();
      }
    }
  });
});
