// The collaboration server: Hocuspocus on the app's own HTTP server, at
// /collab, persisting every notebook to the SQLite store. One process, one
// port: the same server serves pages and API routes.
import type { IncomingMessage, Server as HttpServer } from "node:http";
import type { Duplex } from "node:stream";
import { Hocuspocus } from "@hocuspocus/server";
import { WebSocketServer } from "ws";
import * as Y from "yjs";
import { Notebook } from "../notebook/notebook.ts";
import type { NotebookStore } from "./store.ts";

export interface CollabOptions {
  /** Largest WebSocket message accepted; a bigger one closes that connection only. */
  maxMessageBytes?: number;
  /** Milliseconds Hocuspocus waits after a change before storing. */
  storeDebounceMs?: number;
  /** Someone else (Next's dev server) answers other upgrade paths. */
  otherUpgrades?: boolean;
}

export type Collab = ReturnType<typeof createCollab>;

export const COLLAB_PATH = "/collab";

/** Document names are notebook ids: short, URL-safe, never a path. */
export function validNotebookId(name: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(name);
}

export function createCollab(store: NotebookStore, opts: CollabOptions = {}) {
  const hocuspocus = new Hocuspocus({
    quiet: true,
    debounce: opts.storeDebounceMs ?? 200,
    maxDebounce: 2000,
    async onConnect({ documentName }) {
      if (!validNotebookId(documentName) || !store.exists(documentName)) throw new Error("no such notebook");
    },
    async onLoadDocument({ documentName, document }) {
      const state = store.load(documentName);
      if (state) Y.applyUpdate(document, state);
      return document;
    },
    async onStoreDocument({ documentName, document }) {
      if (!store.exists(documentName)) return;
      store.save(documentName, Y.encodeStateAsUpdate(document), new Notebook(document).title);
    },
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxMessageBytes ?? 4 * 1024 * 1024 });

  /** Routes WebSocket upgrades for /collab to Hocuspocus; others are left alone. */
  function attach(http: HttpServer): void {
    http.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (request.url ?? "").split("?")[0];
      if (path !== COLLAB_PATH) {
        if (!opts.otherUpgrades) socket.destroy();
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => {
        ws.on("error", () => ws.terminate());
        hocuspocus.handleConnection(ws as never, request);
      });
    });
  }

  /** Stores every loaded document now (Ctrl-C saves everything). */
  async function flush(): Promise<void> {
    await Promise.all(
      [...hocuspocus.documents.values()].map((doc) =>
        store.exists(doc.name) ? store.save(doc.name, Y.encodeStateAsUpdate(doc), new Notebook(doc).title) : undefined,
      ),
    );
  }

  /** Changes a notebook's shared document from the server, through the same
   * path as a client's edit: live participants see it, and it is stored. */
  async function withDocument(id: string, change: (nb: Notebook) => void): Promise<void> {
    const connection = await hocuspocus.openDirectConnection(id, {});
    try {
      await connection.transact((doc) => change(new Notebook(doc)));
    } finally {
      await connection.disconnect();
    }
  }

  /** A deleted notebook: its live connections close and its document unloads. */
  function forget(id: string): void {
    hocuspocus.closeConnections(id);
    const doc = hocuspocus.documents.get(id);
    if (doc) hocuspocus.unloadDocument(doc);
  }

  async function close(): Promise<void> {
    await flush();
    hocuspocus.closeConnections();
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  }

  return { hocuspocus, attach, flush, close, withDocument, forget };
}
