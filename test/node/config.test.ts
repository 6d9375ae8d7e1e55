// wrangler.toml and the code that must agree with it; the tests' workerd and
// wrangler's.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { rateLimitPolicy } from "../../src/access/rate-limit.ts";

const wranglerToml = readFileSync(resolve(import.meta.dirname, "../../wrangler.toml"), "utf8");

describe("wrangler.toml", () => {
  it("rate-limits per workspace with the policy the API advertises", () => {
    const block =
      /\[\[ratelimits\]\]\s*\nname = "WORKSPACE_RATE_LIMIT"[\s\S]*?simple = \{ limit = (\d+), period = (\d+) \}/.exec(
        wranglerToml,
      );
    expect(block, "a WORKSPACE_RATE_LIMIT [[ratelimits]] binding").not.toBeNull();
    expect({ limit: Number(block?.[1]), period: Number(block?.[2]) }).toEqual(rateLimitPolicy);
    expect([10, 60]).toContain(rateLimitPolicy.period);
  });

  it("enables Smart Placement, the hourly cleanup, the webhook sweep and no Node.js compatibility", () => {
    expect(wranglerToml).toMatch(/\[placement\]\s*\nmode = "smart"/);
    // The hourly cleanup and the every-minute webhook sweep (src/index.ts dispatches on the cron).
    expect(wranglerToml).toMatch(/\[triggers\]\s*\ncrons = \["\d+ \* \* \* \*", "\* \* \* \* \*"\]/);
    expect(wranglerToml).toMatch(/compatibility_flags = \["no_nodejs_compat", "no_nodejs_compat_v2"\]/);
  });
});

describe("workerd", () => {
  const root = resolve(import.meta.dirname, "../..");
  /** The version of `name` that the package whose package.json is at `from` would load. */
  const resolveFrom = (from: string, name: string) => createRequire(from).resolve(`${name}/package.json`);
  const version = (packageJson: string) =>
    (JSON.parse(readFileSync(packageJson, "utf8")) as { version: string }).version;
  /** The workerd a package runs: its own dependency's, and its miniflare's (which starts it). */
  const workerdOf = (packageDir: string) => {
    const packageJson = resolve(root, "node_modules", packageDir, "package.json");
    return [
      version(resolveFrom(packageJson, "workerd")),
      version(resolveFrom(resolveFrom(packageJson, "miniflare"), "workerd")),
    ];
  };

  it("is the same version under the tests (@cloudflare/vitest-plugin) as under wrangler dev and deploy", () => {
    const wrangler = workerdOf("wrangler");
    const plugin = workerdOf("@cloudflare/vitest-plugin");
    expect(
      new Set([...wrangler, ...plugin]).size,
      `workerd under wrangler ${wrangler.join(", ")}, under @cloudflare/vitest-plugin ${plugin.join(", ")}: ` +
        "keep them aligned: pin the devDependency wrangler to the exact version @cloudflare/vitest-plugin depends on " +
        "(npm view @cloudflare/vitest-plugin@<version> dependencies), so that the tests run the runtime wrangler deploys on",
    ).toBe(1);
  });
});
