// A real PostgreSQL server behind the SQL-over-HTTP server, through node-postgres.
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import {
  type Backend,
  PostgresError,
  type ResultField,
  type Statement,
  type TextResult,
  type TransactionOptions,
  transactionModes,
} from "./backend.ts";

// No client-side parsing at all: the values go out exactly as PostgreSQL wrote them.
const rawText = { getTypeParser: () => (value: string) => value };

export async function createPostgresBackend(connectionString: string): Promise<Backend> {
  // TimeZone UTC: Neon computes run in UTC, and a developer's server may not.
  const pool = new pg.Pool({ connectionString, options: "-c TimeZone=UTC", max: 10 });
  // An idle client that loses its server must not crash the process.
  pool.on("error", () => {});
  const probe = await pool.connect();
  probe.release();

  async function run(client: pg.PoolClient, statement: Statement): Promise<TextResult> {
    try {
      // Extended protocol, as Neon's proxy uses: one statement only, parameters as text.
      const result = await client.query({
        text: statement.query,
        values: statement.params,
        rowMode: "array",
        types: rawText,
        queryMode: "extended",
      } as pg.QueryArrayConfig);
      return toTextResult(result);
    } catch (error) {
      throw PostgresError.from(error) ?? error;
    }
  }

  return {
    kind: "postgres",
    async query(statement) {
      const client = await pool.connect();
      let discard = true;
      try {
        const result = await run(client, statement);
        // A statement that leaves a transaction open (a bare BEGIN) loses its connection, as on Neon.
        discard = client.getTransactionStatus() !== "I";
        return result;
      } finally {
        client.release(discard);
      }
    },
    async transaction(statements: Statement[], options: TransactionOptions, beforeCommit?: () => Promise<void>) {
      const client = await pool.connect();
      let discard = true;
      try {
        await client.query(`START TRANSACTION ${transactionModes(options)}`.trim());
        const results: TextResult[] = [];
        try {
          for (const statement of statements) results.push(await run(client, statement));
          await beforeCommit?.();
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK").catch(() => {});
          throw PostgresError.from(error) ?? error;
        }
        discard = false;
        return results;
      } finally {
        client.release(discard);
      }
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async migrate(migrationsFolder) {
      await migrate(drizzle(pool), { migrationsFolder });
    },
    async close() {
      await pool.end();
    },
  };
}

function toTextResult(result: pg.QueryArrayResult): TextResult {
  const fields: ResultField[] = (result.fields ?? []).map((f) => ({
    name: f.name,
    dataTypeID: f.dataTypeID,
    tableID: f.tableID,
    columnID: f.columnID,
    dataTypeSize: f.dataTypeSize,
    dataTypeModifier: f.dataTypeModifier,
    format: "text",
  }));
  return {
    fields,
    rows: result.rows as (string | null)[][],
    command: result.command ?? "",
    rowCount: typeof result.rowCount === "number" ? result.rowCount : null,
  };
}
