// `npm run build:assets`: the static files Workers Assets serve, in public/
// (git-ignored): the OpenAPI document and the API reference page (Scalar's
// standalone bundle, served from here rather than a CDN so it works offline).
// wrangler.toml's [build] runs it before every `wrangler dev` and `wrangler deploy`.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { projectRoot } from "./local-db/open.ts";
import { buildOpenApiDocument } from "./openapi.ts";

const publicDir = resolve(projectRoot, "public");
mkdirSync(resolve(publicDir, "docs"), { recursive: true });

writeFileSync(resolve(publicDir, "openapi.json"), `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);

const require = createRequire(import.meta.url);
const scalarEntry = require.resolve("@scalar/api-reference");
copyFileSync(resolve(scalarEntry, "../browser/standalone.js"), resolve(publicDir, "docs/scalar.js"));

writeFileSync(
  resolve(publicDir, "docs/index.html"),
  `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Qwoty-compatible customer directory API: reference</title>
  </head>
  <body>
    <div id="app"></div>
    <script src="/docs/scalar.js"></script>
    <script>
      Scalar.createApiReference("#app", {
        url: "/openapi.json",
        // Everything from this deployment: no web fonts, proxy, telemetry or
        // hosted AI and developer tools from elsewhere.
        withDefaultFonts: false,
        telemetry: false,
        hideClientButton: true,
        showDeveloperTools: "never",
        agent: { disabled: true },
      });
    </script>
  </body>
</html>
`,
);
console.log(`Wrote ${publicDir.replace(`${projectRoot}/`, "")}/: openapi.json, docs/index.html, docs/scalar.js`);
