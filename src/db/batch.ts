// Set-based writes of many records of one table: one statement per kind of
// operation (delete, update, upsert, create), whatever the number of items.
// Each statement reads its items from one jsonb parameter (jsonb_to_recordset),
// locks what it depends on, finds every item's refusal among the rows it is
// about to write, writes the other items and records the refusals; a last
// statement raises (api_require) with all of them, which rolls the whole batch
// back. A statement whose token is refused (workspace NULL) writes nothing and
// records nothing, so the worker can answer 401/403 from the token row.
//
// Items carry the validated body as `data`, keyed by column name (wire names
// are column names): jsonb_populate_record turns it into a row of the table,
// and, over the stored row, applies only the fields sent, as PATCH does.
import { getTableColumns, SQL, sql } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import { type IfMatch, requireEtag } from "./etag";
import { type ExternalIdField, externalIdFields } from "./external-ids";

/** A table written in batches: its links to other tables and the wording of its refusals. */
export interface BatchTable {
  table: PgTable;
  /** "contact": for messages */
  thing: string;
  /** The record's ETag, over the table's own name (db/etag.ts): what If-Match is checked against. */
  etag: SQL;
  /** The parent a record is created under and stays with (a contact's customer). */
  parent?: { column: string; table: PgTable; thing: string; immutable: string };
  /** An optional link to a record of another table that must have the same parent (an address's contact). */
  link?: { column: string; table: PgTable; thing: string };
}

/** One refusal: which item, the SQLSTATE telling its status, and the message naming the field. */
export const batchRefusal = { badRequest: "QB400", notFound: "QB404", conflict: "QB409" } as const;

/**
 * The order in which one item's refusals are named (and the first one's status
 * answered): its record, its parent, its external ids, its link, what depends
 * on it; a lost race last.
 */
export const refusalRank = {
  record: sql.raw("0"),
  parent: sql.raw("1"),
  taken: sql.raw("2"),
  link: sql.raw("3"),
  dependents: sql.raw("4"),
  race: sql.raw("9"),
};

const ident = (name: string) => sql.raw(`"${name}"`);
const list = (parts: SQL[]) => sql.join(parts, sql`, `);
/** The columns of alias `alias` (a relation with the table's column names), comma-separated. */
const columnsOf = (alias: string, names: readonly string[]) => list(names.map((n) => sql.raw(`${alias}."${n}"`)));

interface Column {
  name: string;
  /** what an insert puts when the body leaves the column out */
  fallback?: SQL;
}

/** A table's columns in order, with their defaults: read once per table and isolate. */
const columnsByTable = new WeakMap<PgTable, Column[]>();

function columns(table: PgTable): Column[] {
  let known = columnsByTable.get(table);
  if (!known) {
    known = Object.values(getTableColumns(table)).map((column: PgColumn) => {
      const fallback =
        column.default === undefined
          ? undefined
          : column.default instanceof SQL
            ? column.default
            : sql`${sql.param(column.default, column)}::${sql.raw(column.getSQLType())}`;
      return { name: column.name, ...(fallback ? { fallback } : {}) };
    });
    columnsByTable.set(table, known);
  }
  return known;
}

const serverOwned = new Set(["id", "workspace_id", "created_at", "updated_at"]);

/** The columns a body may change on an existing record (the parent is fixed). */
function changeable(t: BatchTable): string[] {
  return columns(t.table)
    .map((c) => c.name)
    .filter((name) => !serverOwned.has(name) && name !== t.parent?.column);
}

/** Where a message points: `operations[3].` in a batch, nothing for a single request. */
export interface Paths {
  single: boolean;
}
const itemPath = (p: Paths) => (p.single ? sql`''` : sql`'operations[' || i.ord || '].'`);
const dataPath = (p: Paths) => (p.single ? sql`''` : sql`'operations[' || i.ord || '].data.'`);
/** "Contact not found" for a single write (as GET says it), "operations[2].id: contact not found" in a batch. */
const notFoundMessage = (t: BatchTable, p: Paths) =>
  p.single
    ? sql`${`${t.thing.charAt(0).toUpperCase()}${t.thing.slice(1)} not found`}`
    : sql`${itemPath(p)} || ${`id: ${t.thing} not found`}`;

/** The statement's items: a jsonb array of objects (or its JSON, when two statements share it), as a relation with typed columns. */
const itemsOf = (items: unknown[] | string, shape: string) =>
  sql`items as (select * from jsonb_to_recordset(${typeof items === "string" ? items : JSON.stringify(items)}::jsonb) as i(${sql.raw(shape)}))`;

/** The workspace the statement writes in: NULL when the token is refused (nothing is written then). */
const workspaceOf = (workspaceId: SQL) => sql`ws(id) as (select ${workspaceId})`;

// Each statement adds its refusals to a transaction-local list instead of
// raising at once, so that a refused batch names every refused item, whichever
// statement found it; the statement that follows the last one raises with all.
const refusedSetting = sql`coalesce(nullif(current_setting('qwoty.refused', true), ''), '[]')::jsonb`;

/** Adds the refusals to the batch's list, unless the token was refused (then nothing was written either). */
const recordRefusals = (from: SQL) => sql`select set_config('qwoty.refused', (${refusedSetting}
    || jsonb_agg(jsonb_build_object('ord', ord, 'rank', rank, 'code', code, 'message', message)))::text, true)
  from (${from}) refusals, ws where ws.id is not null having count(*) > 0`;

/**
 * Raises with every refusal the batch's statements recorded, in item order;
 * the first one's SQLSTATE tells the status. The raise rolls the whole batch back.
 */
export const raiseRefusals = () => sql`select api_require(false, (array_agg(r.code order by r.ord, r.rank))[1],
  string_agg(r.message, E'\n' order by r.ord, r.rank))
  from jsonb_to_recordset(${refusedSetting}) as r(ord int, rank int, code text, message text) having count(*) > 0`;

// Rows a statement locks are found with `= any(array(…))` rather than `in (…)`:
// a lookup on the primary key for each, where a semi-join may be planned as a
// scan of the whole table when the statistics think it small.

/** The parent rows the items name, locked FOR KEY SHARE: they cannot be deleted until the batch commits. */
function parentsOf(t: BatchTable): SQL {
  if (!t.parent) return sql``;
  const column = t.parent.column;
  return sql`, parents as (select p.id from ${t.parent.table} p, ws where p.workspace_id = ws.id
    and p.id = any(array(select (data->>${column})::uuid from items)) order by p.id for key share of p)`;
}

/** The records the items link to, with their parent, locked FOR KEY SHARE. */
function linkedOf(t: BatchTable): SQL {
  if (!t.link || !t.parent) return sql``;
  return sql`, linked as (select k.id, k.${ident(t.parent.column)} as parent from ${t.link.table} k, ws
    where k.workspace_id = ws.id and k.id = any(array(select (data->>${t.link.column})::uuid from items))
    order by k.id for key share of k)`;
}

/** Refusals of a link to a record that is not there, or hangs off another parent. */
function linkRefusals(t: BatchTable, p: Paths, sentOnly: boolean): SQL {
  if (!t.link || !t.parent) return sql``;
  const link = ident(t.link.column);
  const sent = sentOnly ? sql` and i.data ? ${t.link.column}` : sql``;
  return sql` union all select i.ord, ${refusalRank.link}, ${batchRefusal.badRequest}, ${dataPath(p)} || ${`${t.link.column}: ${t.link.thing} not found`}
      from next i where i.${link} is not null${sent} and i.${link} not in (select id from linked)
    union all select i.ord, ${refusalRank.link}, ${batchRefusal.badRequest}, ${dataPath(p)} || ${`${t.link.column}: the ${t.link.thing} belongs to another ${t.parent.thing}`}
      from next i join linked k on k.id = i.${link} where k.parent <> i.${ident(t.parent.column)}${sent}`;
}

/**
 * Refusals of an external id another record of the workspace holds. `self`
 * tells the record the item itself writes (its id, or the value it is matched
 * on). Each value is looked up on its unique index, item by item (a lateral
 * subquery), whatever the statistics say.
 */
function takenRefusals(t: BatchTable, p: Paths, fields: readonly ExternalIdField[], self: (h: string) => SQL): SQL {
  return sql.join(
    fields.map(
      (field) => sql` union all select i.ord, ${refusalRank.taken}, ${batchRefusal.conflict},
        ${dataPath(p)} || ${`${field}: this value already identifies ${t.thing} `} || h.id || '; external ids are unique in a workspace, per resource'
      from next i cross join lateral (select x.id, x.${ident(field)} from ${t.table} x
        where x.workspace_id = (select id from ws) and x.${ident(field)} = i.${ident(field)}) h
      where ${self("h")}`,
    ),
  );
}

/** The id of the record of the workspace holding item i's value of an external id (a unique index lookup). */
const holderOf = (t: BatchTable, field: ExternalIdField) =>
  sql`(select x.id from ${t.table} x where x.workspace_id = (select id from ws) and x.${ident(field)} = i.value)`;

/** The insert of the rows of `next` (column names, plus new_id) that no refusal names. */
function insertRows(t: BatchTable) {
  const cols = columns(t.table).filter((c) => c.name !== "created_at" && c.name !== "updated_at");
  const values = cols.map((c) => {
    if (c.name === "id") return sql`i.new_id`;
    if (c.name === "workspace_id") return sql`(select id from ws)`;
    return c.fallback ? sql`coalesce(i.${ident(c.name)}, ${c.fallback})` : sql`i.${ident(c.name)}`;
  });
  return sql`insert into ${t.table} as t (${list(cols.map((c) => ident(c.name)))})
    select ${list(values)} from next i
    where (select id from ws) is not null and i.ord not in (select ord from refused)`;
}

/**
 * Creates: every item is a new record, under a parent of the workspace, with
 * external ids nobody holds. With `match` (an upsert's first statement: see
 * upsertStatements), only the items whose value of that external id no record
 * holds yet, and a concurrent insert of one of those values wins: ON CONFLICT
 * DO NOTHING, the item is then updated by the statement that follows.
 */
export function createStatement(
  t: BatchTable,
  workspaceId: SQL,
  items: { ord: number; id: string; data: object }[] | string,
  p: Paths,
  match?: ExternalIdField,
) {
  const parentRefusal = t.parent
    ? sql` union all select i.ord, ${refusalRank.parent}, ${batchRefusal.badRequest}, ${dataPath(p)} || ${`${t.parent.column}: ${t.parent.thing} not found`}
        from next i where i.${ident(t.parent.column)} not in (select id from parents)`
    : sql``;
  const taken = match ? externalIdFields.filter((field) => field !== match) : externalIdFields;
  return sql`with ${workspaceOf(workspaceId)}, ${itemsOf(items, match ? "ord int, id uuid, value text, data jsonb" : "ord int, id uuid, data jsonb")}
    ${parentsOf(t)} ${linkedOf(t)},
    next as (select i.ord, i.data, i.id as new_id, n.* from items i
      cross join lateral jsonb_populate_record(null::${t.table}, i.data) n
      ${match ? sql`where ${holderOf(t, match)} is null` : sql``}),
    refused(ord, rank, code, message) as (select null::int, null::int, null::text, null::text where false
      ${parentRefusal} ${linkRefusals(t, p, false)} ${takenRefusals(t, p, taken, () => sql`true`)}),
    inserted as (${insertRows(t)} ${match ? sql`on conflict (workspace_id, ${ident(match)}) where ${ident(match)} is not null do nothing` : sql``} returning t.id)
    ${recordRefusals(sql`select * from refused`)}`;
}

/**
 * Updates: the fields sent, over each locked record; a record whose fields all
 * stay the same is left as it is (not even rewritten). With If-Match (a single
 * PATCH), the locked record's ETag is checked first: a mismatch raises 412 and
 * changes nothing. With `match`, the records are those holding the items'
 * values of that external id (an upsert's second statement: see upsertStatements).
 */
export function updateStatement(
  t: BatchTable,
  workspaceId: SQL,
  items: { ord: number; id: string; value?: string; data: object }[] | string,
  p: Paths,
  condition?: IfMatch,
  match?: ExternalIdField,
) {
  const names = changeable(t);
  const table = t.table;
  const parentRefusal = t.parent
    ? sql` union all select i.ord, ${refusalRank.parent}, ${batchRefusal.badRequest}, ${dataPath(p)} || ${t.parent.immutable}
        from next i where i.${ident(t.parent.column)} is distinct from i.was_parent`
    : sql``;
  const wasParent = t.parent ? sql`, l.${ident(t.parent.column)} as was_parent` : sql``;
  // By id, or by an external id's value (looked up item by item, on its unique
  // index, whatever the statistics say), leaving out the records this batch just inserted.
  const target = match
    ? sql`${table}.id = any(array(select ${holderOf(t, match)} from items i)) and ${table}.id not in (select id from items)`
    : sql`${table}.id = any(array(select id from items))`;
  const missing = match
    ? sql`select i.ord, ${refusalRank.race}, 'QW409', 'conflicts with a concurrent change' from items i
        where ${holderOf(t, match)} is null
          and i.ord not in (select (r->>'ord')::int from jsonb_array_elements(${refusedSetting}) r)`
    : sql`select i.ord, ${refusalRank.record}, ${batchRefusal.notFound}, ${notFoundMessage(t, p)}
        from items i where i.id not in (select id from locked)`;
  return sql`with ${workspaceOf(workspaceId)}, ${itemsOf(items, match ? "ord int, id uuid, value text, data jsonb" : "ord int, id uuid, data jsonb")},
    locked as (select ${table}.*, ${requireEtag(t.etag, condition)} as etag_ok from ${table}, ws
      where ${table}.workspace_id = ws.id and ${target}
      order by ${table}.id for update of ${table})
    ${linkedOf(t)},
    next as (select i.ord, i.data ${wasParent}, n.* from items i
      join locked l on ${match ? sql`l.${ident(match)} = i.value` : sql`l.id = i.id`} and l.etag_ok
      cross join lateral jsonb_populate_record(null::${table}, to_jsonb(l) || i.data) n),
    refused(ord, rank, code, message) as (${missing}
      ${parentRefusal} ${linkRefusals(t, p, true)} ${takenRefusals(t, p, externalIdFields, (h) => sql`${sql.raw(h)}.id <> i.id`)}),
    updated as (update ${table} t set ${list(names.map((n) => sql`${ident(n)} = i.${ident(n)}`))},
        updated_at = greatest(now(), t.updated_at + interval '1 millisecond')
      from next i where t.id = i.id and i.ord not in (select ord from refused)
        and (${columnsOf("i", names)}) is distinct from (${columnsOf("t", names)}) returning t.id)
    ${recordRefusals(sql`select * from refused`)}`;
}

/**
 * Upserts matched on one external id, in two statements. The first inserts the
 * items no record held when it began, with INSERT … ON CONFLICT DO NOTHING on
 * that id's unique index: of two concurrent upserts of one value, one inserts
 * and the other waits for it, then inserts nothing. The second statement (a new
 * snapshot, which sees what the first and any such concurrent insert wrote)
 * updates the records holding the other items' values, as an update does: only
 * the fields sent, the parent unchanged. An item left without a record lost a
 * race (its record was deleted meanwhile): the batch is refused, retry it.
 */
export function upsertStatements(
  t: BatchTable,
  workspaceId: SQL,
  match: ExternalIdField,
  items: { ord: number; id: string; value: string; data: object }[],
  p: Paths,
): [insert: SQL, update: SQL] {
  const json = JSON.stringify(items); // serialised once for both statements
  return [createStatement(t, workspaceId, json, p, match), updateStatement(t, workspaceId, json, p, undefined, match)];
}

/** Deletes, with what each table's delete needs first (see the resources' batch declarations). */
export function deleteStatement(
  t: BatchTable,
  workspaceId: SQL,
  items: { ord: number; id: string }[],
  p: Paths,
  extra: { before?: SQL; refusals?: SQL; deletable?: SQL } = {},
  condition?: IfMatch,
) {
  return sql`with ${workspaceOf(workspaceId)}, ${itemsOf(items, "ord int, id uuid")},
    locked as (select ${t.table}.id, ${requireEtag(t.etag, condition)} as etag_ok from ${t.table}, ws
      where ${t.table}.workspace_id = ws.id and ${t.table}.id = any(array(select id from items))
      order by ${t.table}.id for update of ${t.table})
    ${extra.before ?? sql``},
    refused(ord, rank, code, message) as (
      select i.ord, ${refusalRank.record}, ${batchRefusal.notFound}, ${notFoundMessage(t, p)}
        from items i where i.id not in (select id from locked)
      ${extra.refusals ?? sql``}),
    deleted as (delete from ${t.table} t where t.id in (${extra.deletable ?? sql`select id from locked where etag_ok`}) returning t.id)
    ${recordRefusals(sql`select * from refused`)}`;
}

/** The item paths for refusals written by a resource's own delete clauses. */
export const paths = { item: itemPath, data: dataPath };
