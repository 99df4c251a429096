import { pathToFileURL } from 'node:url';

/**
 * `import.meta.url` for the ESM builds esbuild puts in the CommonJS bundle of the functions (cli/package-functions.ts
 * injects this file and defines `import.meta.url` as it): the URL of the bundle itself. Without it, code such as
 * @azure/monitor-opentelemetry's `createRequire(import.meta.url)("@azure/functions-core")` gets `undefined` and
 * concludes it runs outside Azure Functions.
 */
export const importMetaUrl: string = pathToFileURL(__filename).href;
