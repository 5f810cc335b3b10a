// The name History gives the version a restore keeps of what it replaces.
// The server names it; the page quotes it before asking to restore, so
// both take it from here.

export function beforeRestoring(restored: { name: string | null; createdAt: number }): string {
  // UTC: the name is stored once and read in every reader's time zone.
  const what = restored.name ?? `the checkpoint of ${new Date(restored.createdAt).toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return `before restoring ${what}`;
}
