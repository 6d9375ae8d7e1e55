// wrangler.toml and the code that must agree with it.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { rateLimitPolicy } from "../../src/http/rate-limit.ts";

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

  it("enables Smart Placement, the hourly cleanup and no Node.js compatibility", () => {
    expect(wranglerToml).toMatch(/\[placement\]\s*\nmode = "smart"/);
    expect(wranglerToml).toMatch(/\[triggers\]\s*\ncrons = \["[^"]+"\]/);
    expect(wranglerToml).toMatch(/compatibility_flags = \["no_nodejs_compat", "no_nodejs_compat_v2"\]/);
  });
});
