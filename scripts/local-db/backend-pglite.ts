// Embedded PGlite (PostgreSQL compiled to WebAssembly) behind the SQL-over-HTTP
// server: nothing to install, persisted in a folder or kept in memory.

import { PGlite, types as pgliteTypes, type Results, type Transaction } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import {
  type Backend,
  PostgresError,
  type Statement,
  type TextResult,
  type TransactionOptions,
  transactionModes,
} from "./backend.ts";

/** @param dataDir a folder to persist into, or undefined for an in-memory database. */
export async function createPGliteBackend(dataDir?: string): Promise<Backend> {
  const db = new PGlite(dataDir);
  await db.waitReady;
  await db.query("SET TIME ZONE 'UTC'");

  const identity = (value: unknown) => value;
  // PGlite merges parsers as {...db.parsers, ...options.parsers}, so a Proxy is never
  // consulted: it takes a plain object with an identity parser for every known type.
  // Its key set grows when PGlite learns new array types, hence the cache by size.
  let parsers: Record<number, (value: string) => unknown> = {};
  let parsersFor = -1;
  function identityParsers() {
    const keys = new Set([...Object.keys(db.parsers), ...Object.keys(pgliteTypes.parsers)]);
    if (keys.size !== parsersFor) {
      parsers = Object.fromEntries([...keys].map((key) => [key, identity]));
      parsersFor = keys.size;
    }
    return parsers;
  }
  // Serializers are looked up directly, so a Proxy works; it stops the bytea
  // serializer from rejecting the driver's "\x…" strings.
  const serializers = new Proxy({}, { get: () => identity });

  async function run(session: PGlite | Transaction, statement: Statement): Promise<TextResult> {
    try {
      // query(), never exec(): the extended protocol refuses several statements, like Neon.
      const result: Results<unknown[]> = await session.query(statement.query, statement.params, {
        rowMode: "array",
        parsers: identityParsers(),
        serializers,
      });
      return {
        fields: result.fields.map((f) => ({
          name: f.name,
          dataTypeID: f.dataTypeID,
          tableID: 0,
          columnID: 0,
          dataTypeSize: -1,
          dataTypeModifier: -1,
          format: "text",
        })),
        rows: result.rows as (string | null)[][],
        command: result.command ?? "",
        rowCount: typeof result.rowCount === "number" ? result.rowCount : null,
      };
    } catch (error) {
      throw PostgresError.from(error) ?? error;
    }
  }

  return {
    kind: "pglite",
    async query(statement) {
      try {
        return await run(db, statement);
      } finally {
        // One session serves everyone here: a transaction left open would swallow
        // every later request, where Neon would simply discard the connection.
        if (db.isInTransaction()) await db.query("ROLLBACK").catch(() => {});
      }
    },
    async transaction(statements: Statement[], options: TransactionOptions, beforeCommit?: () => Promise<void>) {
      const modes = transactionModes(options);
      try {
        return await db.transaction(async (tx) => {
          if (modes) await tx.query(`SET TRANSACTION ${modes}`);
          const results: TextResult[] = [];
          for (const statement of statements) results.push(await run(tx, statement));
          await beforeCommit?.();
          return results;
        });
      } catch (error) {
        throw PostgresError.from(error) ?? error;
      }
    },
    async exec(sql) {
      await db.exec(sql);
    },
    async migrate(migrationsFolder) {
      await migrate(drizzle(db), { migrationsFolder });
    },
    async close() {
      await db.close();
    },
  };
}
