// What the SQL-over-HTTP server needs from a database: run one parameterised
// statement in autocommit, or several in one transaction, with every value
// returned as PostgreSQL's own text output (the driver parses it, not us).

/** A column of a result, in the shape Neon's proxy sends. */
export interface ResultField {
  name: string;
  dataTypeID: number;
  tableID: number;
  columnID: number;
  dataTypeSize: number;
  dataTypeModifier: number;
  format: "text";
}

export interface TextResult {
  fields: ResultField[];
  /** One array per row, in column order; SQL NULL is null, anything else PostgreSQL's text output. */
  rows: (string | null)[][];
  /** First word of the command tag: SELECT, INSERT, CREATE… */
  command: string;
  /** The number in the command tag, or null when it has none (CREATE TABLE, BEGIN…). */
  rowCount: number | null;
}

export interface Statement {
  query: string;
  /** Parameters already converted to text (or null), as PostgreSQL receives them. */
  params: (string | null)[];
}

export const isolationLevels = {
  ReadUncommitted: "READ UNCOMMITTED",
  ReadCommitted: "READ COMMITTED",
  RepeatableRead: "REPEATABLE READ",
  Serializable: "SERIALIZABLE",
} as const;
export type IsolationLevel = keyof typeof isolationLevels;

export interface TransactionOptions {
  isolationLevel?: IsolationLevel;
  readOnly: boolean;
  deferrable: boolean;
}

/** Builds `START TRANSACTION …` the way tokio-postgres's TransactionBuilder does for Neon. */
export function transactionModes(options: TransactionOptions): string {
  const modes: string[] = [];
  if (options.isolationLevel) modes.push(`ISOLATION LEVEL ${isolationLevels[options.isolationLevel]}`);
  if (options.readOnly) modes.push("READ ONLY");
  if (options.deferrable) modes.push("DEFERRABLE");
  return modes.join(", ");
}

/** The fields of a PostgreSQL error that the driver copies onto its NeonDbError. */
export const pgErrorFields = [
  "severity",
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
] as const;
export type PgErrorField = (typeof pgErrorFields)[number];

/** An error raised by PostgreSQL itself (it has a SQLSTATE); answered with HTTP 400. */
export class PostgresError extends Error {
  constructor(
    message: string,
    readonly fields: Record<PgErrorField, string | null>,
  ) {
    super(message);
    this.name = "PostgresError";
  }

  /** Copies only the message and the driver's fields, never extras such as the query's params. */
  static from(error: unknown): PostgresError | undefined {
    if (!(error instanceof Error)) return undefined;
    const source = error as Error & Partial<Record<PgErrorField, unknown>>;
    if (typeof source.code !== "string" || !/^[0-9A-Z]{5}$/.test(source.code)) return undefined;
    const fields = {} as Record<PgErrorField, string | null>;
    for (const key of pgErrorFields) {
      const value = source[key];
      fields[key] = value === undefined || value === null ? null : String(value);
    }
    return new PostgresError(source.message, fields);
  }
}

export interface Backend {
  readonly kind: "pglite" | "postgres";
  /** One statement in autocommit; a transaction it leaves open is rolled back (Neon discards the connection). */
  query(statement: Statement): Promise<TextResult>;
  /**
   * All statements in one transaction; the first error rolls everything back and
   * is thrown. `beforeCommit` runs after the last statement, inside the
   * transaction (fault injection: hold the locks, or fail instead of committing).
   */
  transaction(
    statements: Statement[],
    options: TransactionOptions,
    beforeCommit?: () => Promise<void>,
  ): Promise<TextResult[]>;
  /** Runs trusted SQL that may hold several statements (test set-up). Not reachable over HTTP. */
  exec(sql: string): Promise<void>;
  /** Applies drizzle/'s migrations with Drizzle's own migrator for this client, in one transaction. */
  migrate(migrationsFolder: string): Promise<void>;
  close(): Promise<void>;
}
