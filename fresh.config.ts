import { defineConfig } from "$fresh/server.ts";
import tailwind from "$fresh/plugins/tailwind.ts";
import { jsonErrors } from "./lib/http/error.ts";

export default defineConfig({
  plugins: [tailwind()],
  // Errors the framework answers (405, a thrown HttpError) in the app's JSON.
  onError: jsonErrors,
});
