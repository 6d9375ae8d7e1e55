CREATE TABLE "events" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "events_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"xid" bigint DEFAULT (pg_current_xact_id()::text)::bigint NOT NULL,
	"workspace_id" uuid NOT NULL,
	"type" text NOT NULL,
	"object_id" uuid NOT NULL,
	"occurred_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"data" json
);
--> statement-breakpoint
CREATE UNIQUE INDEX "events_id_key" ON "events" USING btree ("id");--> statement-breakpoint
CREATE INDEX "events_feed_idx" ON "events" USING btree ("workspace_id","xid","seq");--> statement-breakpoint
CREATE INDEX "events_occurred_at_idx" ON "events" USING btree ("occurred_at");--> statement-breakpoint
-- Change events, recorded by triggers in the transaction of the change: a
-- rolled-back write leaves none, and every statement that changes a record
-- (a single write, a batch, an upsert, a cascade, an unlink) records its events
-- without the worker sending anything more. Statement-level triggers read the
-- rows changed from their transition tables, so a statement records all its
-- events in one INSERT … SELECT, planned once per session (PL/pgSQL caches it).
--
-- An event's `data` is the object as the API answers it: the *_wire views below
-- write it with the same fields, order and formats as src/db/wire.ts's wireJson
-- (test/events checks they agree), read when the statement has finished, so a
-- contact's address_ids include the addresses linked by that statement. A link
-- change records an update of the record whose list of ids it changed (a
-- contact's address_ids, a customer's contact_ids and address_ids), unless that
-- record is gone by then.
CREATE FUNCTION api_timestamp(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT replace(to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), '.000Z', 'Z')
$$;
--> statement-breakpoint
CREATE VIEW customer_wire AS
SELECT c.id, c.workspace_id, c.created_at, row_to_json(wire) AS data
FROM customers c, LATERAL (SELECT c.id, c.workspace_id, c.name, c.type, c.segment_id, c.logo, c.tax_ids,
  c.id_crm, c.id_erp, c.id_accounting,
  array(SELECT child.id FROM contacts child WHERE child.workspace_id = c.workspace_id AND child.customer_id = c.id
    ORDER BY child.created_at, child.id) AS contact_ids,
  array(SELECT child.id FROM addresses child WHERE child.workspace_id = c.workspace_id AND child.customer_id = c.id
    ORDER BY child.created_at, child.id) AS address_ids,
  api_timestamp(c.created_at) AS created_at, api_timestamp(c.updated_at) AS updated_at) wire;
--> statement-breakpoint
CREATE VIEW contact_wire AS
SELECT c.id, c.workspace_id, c.created_at, row_to_json(wire) AS data
FROM contacts c, LATERAL (SELECT c.id, c.workspace_id, c.customer_id, c.first_name, c.last_name, c.email,
  c.phone, c.role, c.id_crm, c.id_erp, c.id_accounting,
  array(SELECT linked.id FROM addresses linked WHERE linked.contact_id = c.id
    ORDER BY linked.created_at, linked.id) AS address_ids,
  api_timestamp(c.created_at) AS created_at, api_timestamp(c.updated_at) AS updated_at) wire;
--> statement-breakpoint
CREATE VIEW address_wire AS
SELECT a.id, a.workspace_id, a.created_at, row_to_json(wire) AS data
FROM addresses a, LATERAL (SELECT a.id, a.workspace_id, a.customer_id, a.type, a.name, a.address_line1,
  a.address_line2, a.city, a.state, a.postal_code, a.country, a.contact_id, a.comment, a.id_crm, a.id_erp,
  a.id_accounting, api_timestamp(a.created_at) AS created_at, api_timestamp(a.updated_at) AS updated_at) wire;
--> statement-breakpoint
-- Records are matched with = any(array(…)): a primary-key lookup each, whatever
-- the statistics say. The records whose lists of ids changed are looked up the
-- same way: those deleted by the same statement are not found, and get no update.
CREATE FUNCTION customers_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO events (workspace_id, type, object_id)
    SELECT o.workspace_id, 'customer.deleted', o.id FROM old_rows o ORDER BY o.created_at, o.id;
  ELSE
    INSERT INTO events (workspace_id, type, object_id, data)
    SELECT w.workspace_id, 'customer.' || CASE TG_OP WHEN 'INSERT' THEN 'created' ELSE 'updated' END, w.id, w.data
    FROM customer_wire w WHERE w.id = any(array(SELECT n.id FROM new_rows n)) ORDER BY w.created_at, w.id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION contacts_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO events (workspace_id, type, object_id, data)
    (SELECT o.workspace_id, 'contact.deleted', o.id, NULL::json FROM old_rows o ORDER BY o.created_at, o.id)
    UNION ALL
    (SELECT w.workspace_id, 'customer.updated', w.id, w.data FROM customer_wire w
      WHERE w.id = any(array(SELECT DISTINCT o.customer_id FROM old_rows o)));
  ELSIF TG_OP = 'INSERT' THEN
    -- A new contact is in its customer's contact_ids (a contact never changes customer).
    INSERT INTO events (workspace_id, type, object_id, data)
    (SELECT w.workspace_id, 'contact.created', w.id, w.data FROM contact_wire w
      WHERE w.id = any(array(SELECT n.id FROM new_rows n)) ORDER BY w.created_at, w.id)
    UNION ALL
    (SELECT w.workspace_id, 'customer.updated', w.id, w.data FROM customer_wire w
      WHERE w.id = any(array(SELECT DISTINCT n.customer_id FROM new_rows n)));
  ELSE
    INSERT INTO events (workspace_id, type, object_id, data)
    SELECT w.workspace_id, 'contact.updated', w.id, w.data FROM contact_wire w
    WHERE w.id = any(array(SELECT n.id FROM new_rows n)) ORDER BY w.created_at, w.id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION addresses_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO events (workspace_id, type, object_id, data)
    (SELECT o.workspace_id, 'address.deleted', o.id, NULL::json FROM old_rows o ORDER BY o.created_at, o.id)
    UNION ALL
    (SELECT w.workspace_id, 'contact.updated', w.id, w.data FROM contact_wire w
      WHERE w.id = any(array(SELECT DISTINCT o.contact_id FROM old_rows o WHERE o.contact_id IS NOT NULL)))
    UNION ALL
    (SELECT w.workspace_id, 'customer.updated', w.id, w.data FROM customer_wire w
      WHERE w.id = any(array(SELECT DISTINCT o.customer_id FROM old_rows o)));
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO events (workspace_id, type, object_id, data)
    (SELECT w.workspace_id, 'address.created', w.id, w.data FROM address_wire w
      WHERE w.id = any(array(SELECT n.id FROM new_rows n)) ORDER BY w.created_at, w.id)
    UNION ALL
    (SELECT w.workspace_id, 'contact.updated', w.id, w.data FROM contact_wire w
      WHERE w.id = any(array(SELECT DISTINCT n.contact_id FROM new_rows n WHERE n.contact_id IS NOT NULL)))
    UNION ALL
    (SELECT w.workspace_id, 'customer.updated', w.id, w.data FROM customer_wire w
      WHERE w.id = any(array(SELECT DISTINCT n.customer_id FROM new_rows n)));
  ELSE
    -- A link moved: the contacts it left and joined have other address_ids.
    INSERT INTO events (workspace_id, type, object_id, data)
    (SELECT w.workspace_id, 'address.updated', w.id, w.data FROM address_wire w
      WHERE w.id = any(array(SELECT n.id FROM new_rows n)) ORDER BY w.created_at, w.id)
    UNION ALL
    (SELECT w.workspace_id, 'contact.updated', w.id, w.data FROM contact_wire w
      WHERE w.id = any(array(
        SELECT DISTINCT linked FROM new_rows n JOIN old_rows o ON o.id = n.id,
          LATERAL (VALUES (o.contact_id), (n.contact_id)) AS moved(linked)
        WHERE o.contact_id IS DISTINCT FROM n.contact_id AND linked IS NOT NULL)));
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER customers_inserted AFTER INSERT ON customers REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION customers_changed();
--> statement-breakpoint
CREATE TRIGGER customers_updated AFTER UPDATE ON customers REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION customers_changed();
--> statement-breakpoint
CREATE TRIGGER customers_deleted AFTER DELETE ON customers REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION customers_changed();
--> statement-breakpoint
CREATE TRIGGER contacts_inserted AFTER INSERT ON contacts REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION contacts_changed();
--> statement-breakpoint
CREATE TRIGGER contacts_updated AFTER UPDATE ON contacts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION contacts_changed();
--> statement-breakpoint
CREATE TRIGGER contacts_deleted AFTER DELETE ON contacts REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION contacts_changed();
--> statement-breakpoint
CREATE TRIGGER addresses_inserted AFTER INSERT ON addresses REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION addresses_changed();
--> statement-breakpoint
CREATE TRIGGER addresses_updated AFTER UPDATE ON addresses REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION addresses_changed();
--> statement-breakpoint
CREATE TRIGGER addresses_deleted AFTER DELETE ON addresses REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION addresses_changed();
