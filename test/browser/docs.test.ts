// The API reference page, in a real headless Chromium (Debian's `chromium`
// package; .ci/run installs it), loaded from `wrangler dev`: it must render the
// operations from /openapi.json with nothing fetched from elsewhere. The
// screenshot is kept in test/artifacts/docs.png.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevWorker, startDevWorker } from "../../scripts/dev-worker.ts";
import { migrationsFolder, projectRoot } from "../../scripts/local-db/open.ts";
import { type LocalDbServer, startLocalDbServer } from "../../scripts/local-db/server.ts";
import { openTestBackend, type TestBackend } from "../support/node/test-backend.ts";

const chromium = process.env.CHROMIUM ?? "/usr/bin/chromium";
const run = promisify(execFile);
const artifacts = resolve(projectRoot, "test/artifacts");

let test: TestBackend;
let server: LocalDbServer;
let worker: DevWorker;
let profile: string;

/** Chromium as the environment's probe runs it: headless, no network of its own. */
async function browse(url: string, ...flags: string[]) {
  const { stdout } = await run(
    chromium,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profile}`,
      "--virtual-time-budget=15000",
      ...flags,
      url,
    ],
    { maxBuffer: 64 * 1024 * 1024, timeout: 90_000 },
  );
  return stdout;
}

// Without Chromium the page is not tested here (say so); CI sets REQUIRE_CHROMIUM.
if (!existsSync(chromium)) {
  if (process.env.REQUIRE_CHROMIUM) throw new Error(`No Chromium at ${chromium}: apt-get install chromium`);
  console.warn(`No Chromium at ${chromium}: the /docs page test does not run (apt-get install chromium).`);
}

describe.runIf(existsSync(chromium))("API reference page (/docs) in Chromium", () => {
  beforeAll(async () => {
    test = await openTestBackend();
    await test.backend.migrate(migrationsFolder);
    server = await startLocalDbServer({ backend: test.backend });
    worker = await startDevWorker(server.databaseUrl);
    profile = mkdtempSync(join(tmpdir(), "chromium-"));
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await server?.close();
    await test?.dispose();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it("serves the OpenAPI document and the page as static assets", async () => {
    const document = await fetch(`${worker.origin}/openapi.json`);
    expect(document.status).toBe(200);
    expect(((await document.json()) as { openapi: string }).openapi).toBe("3.1.0");
    const page = await fetch(`${worker.origin}/docs/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('url: "/openapi.json"');
  });

  it("renders the operations, Get contact among them, and saves a screenshot", { timeout: 180_000 }, async () => {
    const dom = await browse(`${worker.origin}/docs/`, "--dump-dom");
    expect(dom).toContain("Get contact");
    expect(dom).toContain("/api/contacts/{id}");
    // The other tags are listed, their operations rendered when opened.
    for (const text of ["Create contact", "Update contact", "Customers", "Addresses", "Tokens", "Health"]) {
      expect(dom).toContain(text);
    }
    mkdirSync(artifacts, { recursive: true });
    const screenshot = join(artifacts, "docs.png");
    rmSync(screenshot, { force: true });
    await browse(`${worker.origin}/docs/`, "--window-size=1400,1000", `--screenshot=${screenshot}`);
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);
  });
});
