/** CORS for the Mercure hub, as for the API (`HERALD_CORS_ORIGINS`). @module */
export { handler } from "../api/_middleware.ts";
