// Monaco, bundled with the app (never a CDN) and loaded lazily: a notebook
// page fetches this module only when it shows an editor. It wires lib/editor's
// scenario language into Monaco and binds an editor to a cell's Y.Text.
import * as monaco from "monaco-editor/editor";
import "monaco-editor/features/register.all";
import { MonacoBinding } from "y-monaco";
import * as Y from "yjs";
import type { Awareness } from "y-protocols/awareness";
import type { Peers, SharedText } from "./useNotebookSession.ts";
import { completionsAt, formatted, hoverAt, LANGUAGE_ID, lineTokens, markersFor, quickFixesFor } from "../editor/language.ts";

(self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
  getWorker: () => new Worker(new URL("monaco-editor/editor/editor.worker", import.meta.url), { type: "module" }),
};

let registered = false;

function registerLanguage(): void {
  if (registered) return;
  registered = true;
  monaco.languages.register({ id: LANGUAGE_ID, extensions: [".scn"] });
  monaco.languages.setLanguageConfiguration(LANGUAGE_ID, {
    comments: { lineComment: "#" },
    brackets: [["{", "}"]],
    autoClosingPairs: [{ open: "{", close: "}" }, { open: '"', close: '"' }],
    wordPattern: /[A-Za-z_][A-Za-z0-9_.-]*|\d[\w.]*/,
  });
  const state: monaco.languages.IState = { clone: () => state, equals: () => true };
  monaco.languages.setTokensProvider(LANGUAGE_ID, {
    getInitialState: () => state,
    tokenize: (line) => ({ tokens: lineTokens(line), endState: state }),
  });
  monaco.languages.registerCompletionItemProvider(LANGUAGE_ID, {
    triggerCharacters: [" ", "|"],
    provideCompletionItems: (model, position) => ({
      suggestions: completionsAt(model.getValue(), position.lineNumber, position.column, monaco.languages.CompletionItemKind),
    }),
  });
  monaco.languages.registerHoverProvider(LANGUAGE_ID, {
    provideHover: (model, position) => hoverAt(model.getValue(), position.lineNumber, position.column),
  });
  monaco.languages.registerCodeActionProvider(
    LANGUAGE_ID,
    {
      provideCodeActions: (model, _range, context) => ({
        actions: context.markers.flatMap((marker) =>
          quickFixesFor(model.getValue(), marker).map((fix, i) => ({
            title: fix.title,
            kind: "quickfix",
            diagnostics: [marker],
            isPreferred: i === 0,
            edit: { edits: [{ resource: model.uri, textEdit: { range: fix.range, text: fix.text }, versionId: model.getVersionId() }] },
          })),
        ),
        dispose: () => {},
      }),
    },
    { providedCodeActionKinds: ["quickfix"] },
  );
  monaco.languages.registerDocumentFormattingEditProvider(LANGUAGE_ID, {
    provideDocumentFormattingEdits: (model) => {
      const text = formatted(model.getValue());
      return text === null || text === model.getValue() ? [] : [{ range: model.getFullModelRange(), text }];
    },
  });
  monaco.editor.defineTheme("pcplab", {
    base: "vs",
    inherit: true,
    colors: {},
    rules: [
      { token: "keyword", foreground: "0033b3", fontStyle: "bold" },
      { token: "constant", foreground: "871094" },
      { token: "type", foreground: "00627a" },
      { token: "variable", foreground: "6a3e00" },
      { token: "string", foreground: "067d17" },
      { token: "number", foreground: "1750eb" },
      { token: "comment", foreground: "8c8c8c", fontStyle: "italic" },
      { token: "invalid", foreground: "d00000" },
    ],
  });
}

interface EditorOptions {
  text: SharedText;
  peers: Peers | null;
  language: "scenario" | "markdown";
  readOnly?: boolean;
  label: string;
  onFocus?: () => void;
  /** Shift+Enter and Ctrl+Enter, as in Jupyter; absent where a cell cannot run. */
  onRun?: () => void;
}

export interface MountedEditor {
  dispose(): void;
  focus(): void;
}

/** An editor on `el` bound to `text`. Undo and redo use a Y.UndoManager that
 * tracks only this editor's edits, so undo never takes back someone else's. */
export function mountEditor(el: HTMLElement, opts: EditorOptions): MountedEditor {
  registerLanguage();
  const model = monaco.editor.createModel("", opts.language === "scenario" ? LANGUAGE_ID : "plaintext");
  model.setEOL(monaco.editor.EndOfLineSequence.LF);
  const editor = monaco.editor.create(el, {
    model,
    theme: "pcplab",
    ariaLabel: opts.label,
    readOnly: opts.readOnly ?? false,
    minimap: { enabled: false },
    scrollBeyondLastLine: false,
    automaticLayout: true,
    fontSize: 13,
    tabSize: 2,
    wordWrap: opts.language === "markdown" ? "on" : "off",
    lineNumbers: opts.language === "markdown" ? "off" : "on",
    fixedOverflowWidgets: true,
    scrollbar: { alwaysConsumeMouseWheel: false },
    quickSuggestions: { other: true, comments: false, strings: false },
    // Enter takes a suggestion only when that changes the text: at the end of
    // a word typed in full it starts a new line, as typing expects.
    acceptSuggestionOnEnter: "smart",
  });
  // The session hands out a cell's Y.Text and the provider's awareness under
  // opaque types (useNotebookSession.ts); this binding is where they are Yjs.
  const text = opts.text as unknown as Y.Text;
  const binding = new MonacoBinding(text, model, new Set([editor]), opts.peers as Awareness | null);
  editor.onDidFocusEditorText(() => opts.onFocus?.());
  const undo = new Y.UndoManager(text, { trackedOrigins: new Set([binding]) });
  editor.addAction({ id: "pcplab.undo", label: "Undo", keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyZ], run: () => void undo.undo() });
  editor.addAction({
    id: "pcplab.redo",
    label: "Redo",
    keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyMod.Shift | monaco.KeyCode.KeyZ, monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyY],
    run: () => void undo.redo(),
  });

  if (opts.onRun) {
    const onRun = opts.onRun;
    editor.addAction({
      id: "pcplab.run",
      label: "Run cell",
      keybindings: [monaco.KeyMod.Shift | monaco.KeyCode.Enter, monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter],
      run: () => onRun(),
    });
  }

  // Grow with the text, within bounds: a notebook scrolls, its cells don't.
  const fit = () => {
    el.style.height = `${Math.min(640, Math.max(72, editor.getContentHeight()))}px`;
  };
  editor.onDidContentSizeChange(fit);
  fit();

  let timer: ReturnType<typeof setTimeout> | undefined;
  const lint = () => {
    if (opts.language !== "scenario") return;
    // A cell just added is blank, not wrong.
    const text = model.getValue();
    monaco.editor.setModelMarkers(model, LANGUAGE_ID, text.trim() === "" ? [] : markersFor(text, monaco.MarkerSeverity));
  };
  model.onDidChangeContent(() => {
    clearTimeout(timer);
    timer = setTimeout(lint, 150);
  });
  lint();

  return {
    focus: () => editor.focus(),
    dispose() {
      clearTimeout(timer);
      undo.destroy();
      binding.destroy();
      editor.dispose();
      model.dispose();
    },
  };
}
