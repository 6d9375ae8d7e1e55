// `npm run build:assets`: the static files Workers Assets serve, in public/
// (git-ignored): the OpenAPI document and the API reference page (Scalar's
// standalone bundle, served from here rather than a CDN so it works offline).
// wrangler.toml's [build] runs it before every `wrangler dev` and `wrangler deploy`.
// And their headers: `_headers` (not served itself) adds X-Content-Type-Options:
// nosniff to every asset, as the worker does to its own answers.
// Each file is written aside and renamed into place: several `wrangler dev` may
// run at once (the browser and smoke tests), each rebuilding public/ while the
// others serve it, and none must serve a half-written file.
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { projectRoot } from "./local-db/open.ts";
import { buildOpenApiDocument } from "./openapi.ts";

const publicDir = resolve(projectRoot, "public");
mkdirSync(resolve(publicDir, "docs"), { recursive: true });
// Beside public/ (same file system, for rename), not in it (wrangler watches it).
mkdirSync(resolve(projectRoot, ".wrangler"), { recursive: true });
const staging = mkdtempSync(resolve(projectRoot, ".wrangler/assets-"));

function write(path: string, content: string | Buffer) {
  const aside = join(staging, path.replaceAll("/", "_"));
  writeFileSync(aside, content);
  renameSync(aside, resolve(publicDir, path));
}

write("openapi.json", `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);

const require = createRequire(import.meta.url);
const scalarEntry = require.resolve("@scalar/api-reference");
write("docs/scalar.js", readFileSync(resolve(scalarEntry, "../browser/standalone.js")));

write(
  "docs/index.html",
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
write("_headers", "/*\n  X-Content-Type-Options: nosniff\n");
rmSync(staging, { recursive: true, force: true });

console.log(
  `Wrote ${publicDir.replace(`${projectRoot}/`, "")}/: openapi.json, docs/index.html, docs/scalar.js, _headers`,
);
