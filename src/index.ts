// Worker entry: composes only. See app.ts for the middleware and routes.
import { createApp } from "./app";

export type { AppType } from "./app";
export default createApp();
