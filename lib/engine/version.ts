// The engine's version: it names the model in reports and results, and a
// report from another version is verified as such. Bump it whenever the
// numbers a scenario produces may change. A test keeps it equal to
// package.json's version.
export const ENGINE_VERSION = "pcplab 0.6.0";
export const MODEL = "linux 6.1 page allocator";
