// Next.js configuration. Everything the app loads comes from its own origin:
// Monaco and its worker are bundled, telemetry is off (the start script sets
// NEXT_TELEMETRY_DISABLED), and no image optimisation fetches anything.

// y-monaco 0.1.6 imports Monaco by a path that monaco-editor >= 0.56's
// exports map no longer resolves; point it at the same module Monaco's own
// entry uses, so there is one Monaco instance.
const alias = { "monaco-editor/esm/vs/editor/editor.api.js": "monaco-editor/editor/editor.api" };

/** @type {import('next').NextConfig} */
export default {
  reactStrictMode: true,
  poweredByHeader: false,
  images: { unoptimized: true },
  // `npm test` type-checks the whole tree with tsc; the build need not again.
  typescript: { ignoreBuildErrors: true },
  // The server process already holds Yjs (Hocuspocus and lib/notebook, through
  // lib/server); a second copy bundled into the pages' server render breaks
  // Yjs's constructor checks ("Yjs was already imported"). External, the
  // render imports the same ESM module from node_modules.
  serverExternalPackages: ["yjs"],
  turbopack: { resolveAlias: alias },
  webpack: (config) => {
    config.resolve.alias = { ...config.resolve.alias, "monaco-editor/esm/vs/editor/editor.api.js$": "monaco-editor/editor/editor.api" };
    return config;
  },
};
