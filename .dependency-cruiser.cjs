// `npm run lint` checks the worker's layers with dependency-cruiser: no import
// cycles, and no module importing from a layer above its own. From the bottom:
//   lib (pure helpers) → db (schema, client, query pieces) → http (errors,
//   validation, responses) → access (token check, permissions, rate limit,
//   idempotency, writes) → operation.ts, middleware → resources
//   (contacts, customers, addresses, tokens, health) → app.ts, index.ts.
// env.ts only declares types and may be imported from middleware and above.
const layers = [
  ["lib", "^src/lib/"],
  ["db", "^src/db/"],
  ["http", "^src/http/"],
  ["access", "^src/access/"],
];
const above = {
  lib: "^src/(db|http|access|middleware|contacts|customers|addresses|tokens)/|^src/[^/]+\\.ts$",
  db: "^src/(http|access|middleware|contacts|customers|addresses|tokens)/|^src/[^/]+\\.ts$",
  http: "^src/(access|middleware|contacts|customers|addresses|tokens)/|^src/[^/]+\\.ts$",
  access: "^src/(middleware|contacts|customers|addresses|tokens)/|^src/[^/]+\\.ts$",
};

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment: "An import cycle: layers must only import downwards.",
      from: { path: "^src/" },
      to: { circular: true },
    },
    ...layers.map(([layer, path]) => ({
      name: `${layer}-imports-only-below`,
      severity: "error",
      comment: `src/${layer}/ may not import from a layer above it.`,
      from: { path },
      to: { path: above[layer] },
    })),
    {
      name: "resources-are-independent",
      severity: "error",
      comment: "A resource does not import another resource's modules; shared pieces go to a lower layer.",
      from: { path: "^src/(contacts|customers|addresses|tokens)/" },
      to: { path: "^src/(contacts|customers|addresses|tokens)/", pathNot: "^src/$1/" },
    },
    {
      name: "worker-only",
      severity: "error",
      comment: "The worker bundle never imports Node-side code (scripts/, test/) or node: modules.",
      from: { path: "^src/" },
      to: { path: "^(scripts|test)/|^node:" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Type-only imports count too: a cycle of types is still a cycle of meaning.
    tsPreCompilationDeps: true,
    // TypeScript 7 (the native compiler) has no JavaScript API for dependency-cruiser: swc parses instead.
    parser: "swc",
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "node_modules" },
  },
};
