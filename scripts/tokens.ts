// `npm run tokens -- <command>`: API tokens without a dashboard, on the local
// database or, with DATABASE_URL, on Neon. Secrets are printed once, at
// creation; only their SHA-256 is stored.
//
//   npm run tokens -- create --name "CRM sync" [--workspace <id> | --new-workspace "Name"]
//                            [--permissions contacts:read,contacts:write,…] [--expires 2027-06-30]
//   npm run tokens -- list [--workspace <id>] [--all]
//   npm run tokens -- revoke <token id>
import { parseArgs } from "node:util";
import { and, asc, eq, isNull } from "drizzle-orm";
import { fullAccessPermissions, isPermission, type Permission, permissions } from "../src/access/permissions.ts";
import { hashToken, mintToken, tokenHint } from "../src/access/token.ts";
import type { Db } from "../src/db/client.ts";
import { apiTokens, workspaces } from "../src/db/schema.ts";
import { parseUuid } from "../src/lib/uuid.ts";
import { openDatabase } from "./database.ts";
import { demo } from "./seed.ts";

export class UsageError extends Error {}

export interface CreateOptions {
  name: string;
  workspaceId?: string;
  newWorkspace?: string;
  permissions?: Permission[];
  expiresAt?: Date;
}

export async function createToken(db: Db, options: CreateOptions) {
  const secret = mintToken();
  let workspaceId = options.workspaceId ?? demo.workspaceId;
  if (options.newWorkspace) {
    const [created] = await db
      .insert(workspaces)
      .values({ name: options.newWorkspace })
      .returning({ id: workspaces.id });
    workspaceId = created?.id as string;
  }
  const [exists] = await db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, workspaceId));
  if (!exists) throw new UsageError(`No workspace ${workspaceId}: pass --workspace <id> or --new-workspace <name>`);
  const [row] = await db
    .insert(apiTokens)
    .values({
      workspaceId,
      name: options.name,
      tokenHash: await hashToken(secret),
      tokenHint: tokenHint(secret),
      permissions: options.permissions ?? fullAccessPermissions,
      expiresAt: options.expiresAt ?? null,
    })
    .returning();
  return { secret, token: row as typeof apiTokens.$inferSelect };
}

export async function listTokens(db: Db, workspaceId: string | undefined, all: boolean) {
  return db
    .select()
    .from(apiTokens)
    .where(
      and(
        workspaceId ? eq(apiTokens.workspaceId, workspaceId) : undefined,
        all ? undefined : isNull(apiTokens.revokedAt),
      ),
    )
    .orderBy(asc(apiTokens.workspaceId), asc(apiTokens.createdAt));
}

export async function revokeToken(db: Db, id: string) {
  const revoked = await db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  return revoked.length > 0;
}

function uuidOption(value: string | undefined, name: string) {
  if (value === undefined) return undefined;
  const id = parseUuid(value);
  if (!id) throw new UsageError(`--${name} must be a UUID`);
  return id;
}

function permissionsOption(value: string | undefined): Permission[] | undefined {
  if (value === undefined) return undefined;
  const list = value
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  const unknown = list.filter((p) => !isPermission(p));
  if (unknown.length)
    throw new UsageError(`Unknown permission ${unknown.join(", ")}; known: ${permissions.join(", ")}`);
  return list as Permission[];
}

function expiresOption(value: string | undefined) {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || date.getTime() <= Date.now()) {
    throw new UsageError("--expires must be a date in the future, such as 2027-06-30 or 2027-06-30T12:00:00Z");
  }
  return date;
}

const show = (t: typeof apiTokens.$inferSelect) =>
  [
    t.id,
    t.name,
    t.tokenHint,
    `workspace ${t.workspaceId}`,
    t.permissions.join(","),
    t.expiresAt ? `expires ${t.expiresAt.toISOString()}` : "no expiry",
    t.revokedAt
      ? `REVOKED ${t.revokedAt.toISOString()}`
      : t.lastUsedAt
        ? `last used ${t.lastUsedAt.toISOString()}`
        : "never used",
  ].join("  ");

/** Runs a command; resolves to the lines to print. */
export async function run(db: Db, argv: string[]): Promise<string[]> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      workspace: { type: "string" },
      "new-workspace": { type: "string" },
      permissions: { type: "string" },
      expires: { type: "string" },
      all: { type: "boolean" },
    },
  });
  const [command, argument] = positionals;
  switch (command) {
    case "create": {
      if (!values.name) throw new UsageError('create needs --name "<what the token is for>"');
      const { secret, token } = await createToken(db, {
        name: values.name,
        workspaceId: uuidOption(values.workspace, "workspace"),
        newWorkspace: values["new-workspace"],
        permissions: permissionsOption(values.permissions),
        expiresAt: expiresOption(values.expires),
      });
      return [
        `Created ${show(token)}`,
        "",
        `  ${secret}`,
        "",
        "This is the only time the secret is shown: only its hash is stored.",
      ];
    }
    case "list": {
      const rows = await listTokens(db, uuidOption(values.workspace, "workspace"), values.all ?? false);
      return rows.length ? rows.map(show) : ["No tokens."];
    }
    case "revoke": {
      const id = uuidOption(argument, "id");
      if (!id) throw new UsageError("revoke needs the token's id: npm run tokens -- revoke <id>");
      if (!(await revokeToken(db, id))) throw new UsageError(`No live token ${id}`);
      return [`Revoked ${id}: it is refused from its next request on.`];
    }
    default:
      throw new UsageError("Commands: create, list, revoke (see the header of scripts/tokens.ts)");
  }
}

if (import.meta.main) {
  const database = await openDatabase();
  try {
    for (const line of await run(database.db, process.argv.slice(2))) console.log(line);
    console.error(`(${database.description})`);
  } catch (error) {
    if (!(error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS"))) throw error;
    console.error((error as Error).message);
    process.exitCode = 2;
  } finally {
    await database.close();
  }
}
