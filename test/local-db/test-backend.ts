// Moved to test/support/node/test-backend.ts; kept for scripts/bench (setup.ts,
// load-test.ts), which import it from here.
export { openTestBackend, type TestBackend } from "../support/node/test-backend.ts";
