import { readFile, writeFile } from "node:fs/promises";
import type { IO } from "./main.ts";

export function nodeIO(): IO {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
    readFile: (path) => readFile(path, "utf8"),
    writeFile: (path, text) => writeFile(path, text, "utf8"),
    readStdin: async () => (await readStdinBytes()).toString("utf8"),
    readFileBytes: (path) => readFile(path),
    readStdinBytes,
  };
}

async function readStdinBytes(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
