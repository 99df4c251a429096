// npm ci's first word: which Node this is and what it is good for. Plain CommonJS with no dependency,
// run before anything is installed (package.json preinstall).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(
    `Node ${process.version} is too old: development needs Node 20.19 or later (22 recommended, the runtime Azure Functions runs the product on).`,
  );
  process.exit(1);
}
console.log(
  major >= 22
    ? `Node ${process.version}: the runtime Azure Functions runs the product on.`
    : `Node ${process.version}: fine for npm start and npm test. Azure runs the product on Node 22 (CI tests on it); ` +
        `some Azure packages declare Node 22, and npm would warn about each (.npmrc keeps it to errors).`,
);
