// Rate limiting per workspace (OWASP API4), with the Workers Rate Limiting
// binding: it counts per Cloudflare location, in windows of `period` seconds,
// and answers only whether a key is within its limit.
//
// The workspace is known only from the token, which the database checks in the
// request's single round trip. So the isolate remembers which workspace each
// token belongs to (a token never changes workspace): a known token is counted
// and, over the limit, refused before the database is asked at all. A token the
// isolate has not seen yet is counted once the database has confirmed it; a
// read over the limit is then refused, a write (already committed) is not.
// Requests refused with 401 are never counted.
import { ApiError } from "../http/errors";

/** The Workers Rate Limiting binding, as far as this worker uses it. */
export interface RateLimitBinding {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/** Keep in step with [[ratelimits]] in wrangler.toml (a test checks they agree). */
export const rateLimitPolicy = { limit: 1200, period: 60 } as const;

/** IETF draft-ietf-httpapi-ratelimit-headers: the quota the server enforces. */
export const rateLimitPolicyHeader = `"workspace";q=${rateLimitPolicy.limit};w=${rateLimitPolicy.period}`;

// Isolate-wide, bounded: token hash → workspace id.
const workspaceOfToken = new Map<string, string>();
const maxRemembered = 10_000;

export const tooManyRequests = () =>
  new ApiError(
    429,
    `Rate limit exceeded: at most ${rateLimitPolicy.limit} requests per ${rateLimitPolicy.period} seconds per workspace`,
    { "Retry-After": String(rateLimitPolicy.period), "RateLimit-Policy": rateLimitPolicyHeader },
  );

export class WorkspaceRateLimit {
  constructor(private readonly binding: RateLimitBinding) {}

  /**
   * Before the database: counts a request of a token whose workspace is known,
   * and refuses it (429) over the limit. Resolves to whether it counted.
   */
  async beforeQuery(tokenHash: string): Promise<boolean> {
    const workspaceId = workspaceOfToken.get(tokenHash);
    if (workspaceId === undefined) return false;
    if (!(await this.binding.limit({ key: workspaceId })).success) throw tooManyRequests();
    return true;
  }

  /**
   * After the database found the token valid: remembers its workspace and, if
   * the request was not counted before, counts it; over the limit, a request
   * that can still be refused (a read) is.
   */
  async afterQuery(tokenHash: string, workspaceId: string, counted: boolean, refusable: boolean): Promise<void> {
    if (counted) return;
    if (workspaceOfToken.size >= maxRemembered) workspaceOfToken.clear();
    workspaceOfToken.set(tokenHash, workspaceId);
    if (!(await this.binding.limit({ key: workspaceId })).success && refusable) throw tooManyRequests();
  }

  /** A token the database refused is forgotten, so that its next requests count against no workspace. */
  forget(tokenHash: string): void {
    workspaceOfToken.delete(tokenHash);
  }
}
