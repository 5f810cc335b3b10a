// The pcplab command line. Commands are plain functions of their arguments
// and an IO object, so tests drive them directly and bin/pcplab is a shim.
import { analyze, format, formatDiagnostic, type LocatedDiagnostic } from "../dsl/index.ts";

export interface IO {
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): Promise<string>;
  writeFile(path: string, text: string): Promise<void>;
  readStdin(): Promise<string>;
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const USAGE = `usage: pcplab <command> [options]

commands:
  check FILE.scn           parse and check a scenario (FILE may be - for stdin)
  fmt FILE.scn [--write]   print the canonical form (--write rewrites FILE)

exit status: 0 ok; 2 the scenario has errors or the command was misused
`;

export async function main(argv: string[], io: IO): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "check":
      return check(rest, io);
    case "fmt":
      return fmt(rest, io);
    case "--help":
    case "-h":
    case "help":
      io.stdout(USAGE);
      return EXIT.ok;
    case undefined:
      io.stderr(USAGE);
      return EXIT.usage;
    default:
      io.stderr(`pcplab: unknown command '${command}'\n${USAGE}`);
      return EXIT.usage;
  }
}

interface Parsed {
  file: string;
  flags: Set<string>;
}

function parseArgs(command: string, args: string[], allowed: string[], io: IO): Parsed | null {
  const flags = new Set<string>();
  const files: string[] = [];
  for (const a of args) {
    if (a.startsWith("--")) {
      if (!allowed.includes(a)) {
        io.stderr(`pcplab ${command}: unknown option ${a}\n`);
        return null;
      }
      flags.add(a);
    } else files.push(a);
  }
  if (files.length !== 1) {
    io.stderr(`pcplab ${command}: expected one FILE (or - for stdin)\n${USAGE}`);
    return null;
  }
  return { file: files[0]!, flags };
}

async function readSource(file: string, io: IO): Promise<string | null> {
  try {
    return file === "-" ? await io.readStdin() : await io.readFile(file);
  } catch (e) {
    const reason = e instanceof Error && "code" in e ? String((e as NodeJS.ErrnoException).code) : String(e);
    io.stderr(`pcplab: cannot read ${file}: ${reason}\n`);
    return null;
  }
}

export function displayName(file: string): string {
  return file === "-" ? "<stdin>" : file;
}

function printDiagnostics(file: string, diagnostics: LocatedDiagnostic[], io: IO): void {
  for (const d of diagnostics) io.stderr(formatDiagnostic(displayName(file), d) + "\n");
}

async function check(args: string[], io: IO): Promise<number> {
  const a = parseArgs("check", args, [], io);
  if (!a) return EXIT.usage;
  const text = await readSource(a.file, io);
  if (text === null) return EXIT.usage;
  const { diagnostics, scenario } = analyze(text);
  printDiagnostics(a.file, diagnostics, io);
  return scenario ? EXIT.ok : EXIT.usage;
}

async function fmt(args: string[], io: IO): Promise<number> {
  const a = parseArgs("fmt", args, ["--write"], io);
  if (!a) return EXIT.usage;
  if (a.file === "-" && a.flags.has("--write")) {
    io.stderr("pcplab fmt: --write needs a file, not stdin\n");
    return EXIT.usage;
  }
  const text = await readSource(a.file, io);
  if (text === null) return EXIT.usage;
  const { diagnostics, scenario } = analyze(text);
  printDiagnostics(a.file, diagnostics, io);
  const formatted = format(text);
  if (!scenario || !formatted.ok) return EXIT.usage;
  if (a.flags.has("--write")) {
    if (formatted.text !== text) await io.writeFile(a.file, formatted.text);
  } else io.stdout(formatted.text);
  return EXIT.ok;
}
