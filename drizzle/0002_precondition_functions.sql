-- api_require(ok, sqlstate, message): true when ok is true; otherwise raises an
-- error with that SQLSTATE and message, which aborts the whole transaction.
-- A write's batch uses it where a condition found false must undo every
-- statement of the batch (an If-Match that no longer matches the locked row),
-- so that the worker never has to guess from "0 rows" after earlier statements
-- committed. The worker maps the SQLSTATEs it raises (QW409, QW412) to answers.
CREATE OR REPLACE FUNCTION api_require(ok boolean, code text, message text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION USING ERRCODE = code, MESSAGE = message;
  END IF;
  RETURN true;
END
$$;
