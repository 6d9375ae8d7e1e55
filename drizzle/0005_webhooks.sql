CREATE TABLE "webhook_deliveries" (
	"event_id" uuid NOT NULL,
	"endpoint_id" uuid NOT NULL,
	"workspace_id" uuid NOT NULL,
	"event_type" text NOT NULL,
	"object_id" uuid NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"last_attempt_at" timestamp (3) with time zone,
	"next_attempt_at" timestamp (3) with time zone,
	"status_code" integer,
	"duration_ms" integer,
	"error" text,
	CONSTRAINT "webhook_deliveries_event_id_endpoint_id_pk" PRIMARY KEY("event_id","endpoint_id")
);
--> statement-breakpoint
CREATE TABLE "webhook_endpoints" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"url" text NOT NULL,
	"event_types" text[] NOT NULL,
	"description" text,
	"enabled" boolean DEFAULT true NOT NULL,
	"disabled_reason" text,
	"secret" text NOT NULL,
	"previous_secret" text,
	"previous_secret_expires_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_endpoint_id_webhook_endpoints_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."webhook_endpoints"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "webhook_endpoints_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "webhook_deliveries_log_idx" ON "webhook_deliveries" USING btree ("endpoint_id","created_at");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_due_idx" ON "webhook_deliveries" USING btree ("next_attempt_at") WHERE "webhook_deliveries"."state" = 'pending';--> statement-breakpoint
CREATE INDEX "webhook_endpoints_workspace_idx" ON "webhook_endpoints" USING btree ("workspace_id","created_at");--> statement-breakpoint
-- The webhook consumer's statements (src/webhooks/deliver.ts, sweep.ts), kept
-- here rather than in the worker's bundle. An endpoint receives an event when it
-- is enabled, was created before the event occurred, and one of its patterns
-- matches the event's type: "*", "<object>.*", "*.<change>" or the type itself.
CREATE FUNCTION webhook_patterns(event_type text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array['*', event_type, split_part(event_type, '.', 1) || '.*', '*.' || split_part(event_type, '.', 2)]
$$;
--> statement-breakpoint
-- What one batch of queue messages is to send: new deliveries of `new_events`
-- (a row per matching endpoint, inserted once: the dispatch record the sweep
-- looks for), and those of `due_pairs` ([{"e": event id, "w": endpoint id}]) that
-- are due, leased for 2 minutes so that a duplicate message finds them taken.
-- The leased come first (the consumer sends them all, and may pass new ones on).
-- A disabled endpoint gets nothing but pings.
CREATE FUNCTION webhook_claim(new_events jsonb, due_pairs jsonb)
RETURNS TABLE (event_id uuid, endpoint_id uuid, event_type text, object_id uuid, attempts int,
  url text, secret text, previous_secret text)
LANGUAGE sql VOLATILE AS $$
  WITH fresh AS (
    INSERT INTO webhook_deliveries AS d (event_id, endpoint_id, workspace_id, event_type, object_id, next_attempt_at)
    SELECT e.id, w.id, e.workspace_id, e.type, e.object_id, now()
    FROM events e JOIN webhook_endpoints w ON w.workspace_id = e.workspace_id AND w.enabled
      AND w.created_at <= e.occurred_at AND w.event_types && webhook_patterns(e.type)
    WHERE e.id = any(array(SELECT jsonb_array_elements_text(new_events)::uuid))
    ON CONFLICT DO NOTHING
    RETURNING d.event_id, d.endpoint_id, d.event_type, d.object_id, d.attempts
  ), leased AS (
    UPDATE webhook_deliveries d SET next_attempt_at = now() + interval '2 minutes'
    FROM jsonb_to_recordset(due_pairs) AS p(e uuid, w uuid), webhook_endpoints w
    WHERE d.event_id = p.e AND d.endpoint_id = p.w AND w.id = d.endpoint_id
      AND d.state = 'pending' AND d.next_attempt_at <= now() + interval '2 seconds'
      AND (w.enabled OR d.event_type = 'ping')
    RETURNING d.event_id, d.endpoint_id, d.event_type, d.object_id, d.attempts
  ), claimed AS (SELECT *, 0 AS rank FROM leased UNION ALL SELECT *, 1 FROM fresh)
  SELECT c.event_id, c.endpoint_id, c.event_type, c.object_id, c.attempts, w.url, w.secret,
    CASE WHEN w.previous_secret_expires_at > now() THEN w.previous_secret END
  FROM claimed c JOIN webhook_endpoints w ON w.id = c.endpoint_id
  ORDER BY c.rank
$$;
--> statement-breakpoint
-- Each attempt's outcome ([{e, w, ok, status, ms, error, delay}]; delay: seconds
-- to the next attempt, null when none is left). An endpoint whose delivery has
-- just failed for good (after about 3 days of attempts), and which has delivered
-- nothing in 3 days, is disabled with the reason.
CREATE FUNCTION webhook_record(outcomes jsonb) RETURNS void
LANGUAGE sql VOLATILE AS $$
  UPDATE webhook_deliveries d SET attempts = d.attempts + 1, last_attempt_at = now(),
    status_code = o.status, duration_ms = o.ms, error = o.error,
    state = CASE WHEN o.ok THEN 'delivered' WHEN o.delay IS NULL THEN 'failed' ELSE 'pending' END,
    next_attempt_at = CASE WHEN o.ok OR o.delay IS NULL THEN NULL ELSE now() + make_interval(secs => o.delay) END
  FROM jsonb_to_recordset(outcomes) AS o(e uuid, w uuid, ok boolean, status int, ms int, error text, delay int)
  WHERE d.event_id = o.e AND d.endpoint_id = o.w;
  UPDATE webhook_endpoints w SET enabled = false, updated_at = now(),
    disabled_reason = 'Every delivery failed for 3 days (last error: ' || coalesce(o.error, 'none') || ')'
  FROM jsonb_to_recordset(outcomes) AS o(e uuid, w uuid, ok boolean, error text, delay int)
  WHERE w.id = o.w AND w.enabled AND NOT o.ok AND o.delay IS NULL
    AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.event_id = o.e AND p.endpoint_id = o.w
      AND p.event_type = 'ping')
    AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.endpoint_id = w.id AND d.state = 'delivered'
      AND d.last_attempt_at > now() - interval '3 days');
$$;
--> statement-breakpoint
-- The sweep: events of the last `look_back` (at most 3 days) that an endpoint
-- should have got and has no delivery row for, a minute after they occurred
-- (their enqueue was lost): (event id, null); and deliveries overdue by 5 minutes
-- (a lost retry message, a consumer that died), made due now: (event id,
-- endpoint id). Every minute over the last 10 minutes (a range of
-- events_occurred_at_idx), every hour over the last 3 days.
CREATE FUNCTION webhook_sweep(look_back interval) RETURNS TABLE (event_id uuid, endpoint_id uuid)
LANGUAGE sql VOLATILE AS $$
  WITH lost AS (
    SELECT DISTINCT e.id FROM webhook_endpoints w
    JOIN events e ON e.workspace_id = w.workspace_id
      AND e.occurred_at >= greatest(w.created_at, now() - least(look_back, interval '3 days'))
      AND e.occurred_at < now() - interval '1 minute'
    WHERE w.enabled AND w.event_types && webhook_patterns(e.type)
      AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.endpoint_id = w.id)
    LIMIT 5000
  ), overdue AS (
    UPDATE webhook_deliveries d SET next_attempt_at = now()
    WHERE (d.event_id, d.endpoint_id) IN (SELECT o.event_id, o.endpoint_id FROM webhook_deliveries o
      WHERE o.state = 'pending' AND o.next_attempt_at < now() - interval '5 minutes'
      LIMIT 5000 FOR UPDATE SKIP LOCKED)
    RETURNING d.event_id, d.endpoint_id
  )
  SELECT lost.id, NULL::uuid FROM lost UNION ALL SELECT overdue.event_id, overdue.endpoint_id FROM overdue
$$;
--> statement-breakpoint
-- The events a write's transaction recorded in the workspace, when the
-- workspace has an enabled endpoint (src/webhooks/dispatch.ts): the last
-- statement of every write's batch, so the write knows what to enqueue.
CREATE FUNCTION webhook_transaction_events(workspace uuid) RETURNS SETOF uuid
LANGUAGE sql STABLE AS $$
  SELECT e.id FROM events e WHERE e.workspace_id = workspace
    AND e.xid = (pg_current_xact_id_if_assigned()::text)::bigint
    AND EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.workspace_id = workspace AND w.enabled)
$$;
--> statement-breakpoint
-- A delivery as the API answers it (src/webhooks/object.ts's WebhookDelivery).
CREATE FUNCTION webhook_delivery_json(d webhook_deliveries) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object('event_id', d.event_id, 'endpoint_id', d.endpoint_id, 'event_type', d.event_type, 'object_id', d.object_id,
    'state', d.state, 'attempts', d.attempts, 'created_at', api_timestamp(d.created_at),
    'last_attempt_at', api_timestamp(d.last_attempt_at), 'status_code', d.status_code,
    'duration_ms', d.duration_ms, 'error', d.error, 'next_attempt_at', api_timestamp(d.next_attempt_at))
$$;
