-- Recording change events, cheaper (drizzle/0004_change_events.sql defined it).
--
-- 1. api_timestamp is STABLE, as to_char is: declared IMMUTABLE it could not be
--    inlined, and each call ran as a separate SQL function (about 80 µs of a
--    contact create's 120 µs of event recording went there).
ALTER FUNCTION api_timestamp(timestamptz) STABLE;
--> statement-breakpoint
-- 2. The triggers look each record up by primary key from the rows of their
--    transition tables (LATERAL … OFFSET 0: a nested loop the planner cannot
--    turn into a join), instead of `id = any(array(…))`. PL/pgSQL plans a
--    trigger's statements once per session with the sizes of that moment: the
--    array's guessed 10 rows against a young table gave a sequential scan,
--    which stayed in use as the table grew until the next autoanalyze. A
--    lookup by key stays one index probe per record however the tables grow.
--    A deleted record's event still comes from the old rows alone, and a record
--    whose list of ids changed but that the same statement deleted is not
--    found, so it gets no update (as before).
CREATE OR REPLACE FUNCTION customers_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO events (workspace_id, type, object_id)
    SELECT o.workspace_id, 'customer.deleted', o.id FROM old_rows o ORDER BY o.created_at, o.id;
  ELSE
    INSERT INTO events (workspace_id, type, object_id, data)
    SELECT w.workspace_id, 'customer.' || CASE TG_OP WHEN 'INSERT' THEN 'created' ELSE 'updated' END, w.id, w.data
    FROM new_rows n, LATERAL (SELECT * FROM customer_wire w WHERE w.id = n.id OFFSET 0) w
    ORDER BY n.created_at, n.id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION contacts_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO events (workspace_id, type, object_id, data)
    (SELECT o.workspace_id, 'contact.deleted', o.id, NULL::json FROM old_rows o ORDER BY o.created_at, o.id)
    UNION ALL
    (SELECT w.workspace_id, 'customer.updated', w.id, w.data
      FROM (SELECT DISTINCT o.customer_id AS id FROM old_rows o) linked,
        LATERAL (SELECT * FROM customer_wire w WHERE w.id = linked.id OFFSET 0) w);
  ELSIF TG_OP = 'INSERT' THEN
    -- A new contact is in its customer's contact_ids (a contact never changes customer).
    INSERT INTO events (workspace_id, type, object_id, data)
    (SELECT w.workspace_id, 'contact.created', w.id, w.data
      FROM new_rows n, LATERAL (SELECT * FROM contact_wire w WHERE w.id = n.id OFFSET 0) w
      ORDER BY n.created_at, n.id)
    UNION ALL
    (SELECT w.workspace_id, 'customer.updated', w.id, w.data
      FROM (SELECT DISTINCT n.customer_id AS id FROM new_rows n) linked,
        LATERAL (SELECT * FROM customer_wire w WHERE w.id = linked.id OFFSET 0) w);
  ELSE
    INSERT INTO events (workspace_id, type, object_id, data)
    SELECT w.workspace_id, 'contact.updated', w.id, w.data
    FROM new_rows n, LATERAL (SELECT * FROM contact_wire w WHERE w.id = n.id OFFSET 0) w
    ORDER BY n.created_at, n.id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION addresses_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO events (workspace_id, type, object_id, data)
    (SELECT o.workspace_id, 'address.deleted', o.id, NULL::json FROM old_rows o ORDER BY o.created_at, o.id)
    UNION ALL
    (SELECT w.workspace_id, 'contact.updated', w.id, w.data
      FROM (SELECT DISTINCT o.contact_id AS id FROM old_rows o WHERE o.contact_id IS NOT NULL) linked,
        LATERAL (SELECT * FROM contact_wire w WHERE w.id = linked.id OFFSET 0) w)
    UNION ALL
    (SELECT w.workspace_id, 'customer.updated', w.id, w.data
      FROM (SELECT DISTINCT o.customer_id AS id FROM old_rows o) linked,
        LATERAL (SELECT * FROM customer_wire w WHERE w.id = linked.id OFFSET 0) w);
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO events (workspace_id, type, object_id, data)
    (SELECT w.workspace_id, 'address.created', w.id, w.data
      FROM new_rows n, LATERAL (SELECT * FROM address_wire w WHERE w.id = n.id OFFSET 0) w
      ORDER BY n.created_at, n.id)
    UNION ALL
    (SELECT w.workspace_id, 'contact.updated', w.id, w.data
      FROM (SELECT DISTINCT n.contact_id AS id FROM new_rows n WHERE n.contact_id IS NOT NULL) linked,
        LATERAL (SELECT * FROM contact_wire w WHERE w.id = linked.id OFFSET 0) w)
    UNION ALL
    (SELECT w.workspace_id, 'customer.updated', w.id, w.data
      FROM (SELECT DISTINCT n.customer_id AS id FROM new_rows n) linked,
        LATERAL (SELECT * FROM customer_wire w WHERE w.id = linked.id OFFSET 0) w);
  ELSE
    -- A link moved: the contacts it left and joined have other address_ids.
    INSERT INTO events (workspace_id, type, object_id, data)
    (SELECT w.workspace_id, 'address.updated', w.id, w.data
      FROM new_rows n, LATERAL (SELECT * FROM address_wire w WHERE w.id = n.id OFFSET 0) w
      ORDER BY n.created_at, n.id)
    UNION ALL
    (SELECT w.workspace_id, 'contact.updated', w.id, w.data
      FROM (SELECT DISTINCT linked FROM new_rows n JOIN old_rows o ON o.id = n.id,
          LATERAL (VALUES (o.contact_id), (n.contact_id)) AS moved(linked)
          WHERE o.contact_id IS DISTINCT FROM n.contact_id AND linked IS NOT NULL) linked,
        LATERAL (SELECT * FROM contact_wire w WHERE w.id = linked.linked OFFSET 0) w);
  END IF;
  RETURN NULL;
END
$$;
