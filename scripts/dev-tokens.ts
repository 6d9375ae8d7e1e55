// Where `npm run dev` leaves the demo tokens it minted (under .wrangler/, which
// git ignores), for `npm run webhooks:listen` to use by default.
import { resolve } from "node:path";
import { projectRoot } from "./local-db/open.ts";

export const devTokensFile = resolve(projectRoot, ".wrangler/dev-tokens.json");
