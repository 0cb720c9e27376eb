// The Hooks page's code editor: CodeMirror 6 with JavaScript (or JSON)
// highlighting, line numbers, bracket matching, search and lint markers.
// build.mjs bundles this file into ../static/editor.js, which app.js
// imports; the Go binary embeds the bundle, so the page needs no network.

import { EditorState, Compartment } from '@codemirror/state';
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  highlightSpecialChars, drawSelection, rectangularSelection, crosshairCursor,
} from '@codemirror/view';
import {
  defaultKeymap, history, historyKeymap, indentWithTab,
} from '@codemirror/commands';
import {
  syntaxHighlighting, HighlightStyle, indentOnInput, bracketMatching,
} from '@codemirror/language';
import { tags } from '@lezer/highlight';
import { searchKeymap, highlightSelectionMatches, openSearchPanel } from '@codemirror/search';
import { closeBrackets, closeBracketsKeymap } from '@codemirror/autocomplete';
import { setDiagnostics, lintGutter, lintKeymap } from '@codemirror/lint';
import { javascript } from '@codemirror/lang-javascript';
import { json } from '@codemirror/lang-json';

// The colours of the code, each at least 4.5:1 against the editor's
// background (#fbfbfd), so that the page passes axe's contrast rule.
const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: '#7a1fa2' },
  { tag: [tags.atom, tags.bool, tags.null], color: '#1d6b45' },
  { tag: [tags.number], color: '#1d6b45' },
  { tag: [tags.string, tags.special(tags.string), tags.regexp], color: '#a3290f' },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: '#5b6478', fontStyle: 'italic' },
  { tag: [tags.definition(tags.variableName), tags.function(tags.definition(tags.variableName))], color: '#1f45c2' },
  { tag: [tags.propertyName], color: '#1d4e89' },
  { tag: [tags.typeName, tags.className], color: '#7d4e00' },
  { tag: tags.invalid, color: '#b42318' },
]);

// The lint styles, without the images CodeMirror draws its markers with
// (data: URLs, which the page's Content-Security-Policy refuses).
const lintTheme = EditorView.theme({
  '.cm-lintRange-error': { backgroundImage: 'none', textDecoration: 'underline wavy #b42318', textUnderlineOffset: '3px' },
  '.cm-lintRange-warning': { backgroundImage: 'none', textDecoration: 'underline wavy #8a5a00', textUnderlineOffset: '3px' },
  '.cm-lintRange-info, .cm-lintRange-hint': { backgroundImage: 'none', textDecoration: 'underline dotted #5b6478' },
  '.cm-lint-marker': { content: 'normal', display: 'inline-block', width: '.75em', height: '.75em', borderRadius: '50%', verticalAlign: 'middle' },
  '.cm-lint-marker-error': { content: 'normal', background: '#b42318' },
  '.cm-lint-marker-warning': { content: 'normal', background: '#8a5a00' },
  '.cm-lint-marker-info': { content: 'normal', background: '#5b6478' },
});

// showLineStart scrolls a line's column 1 back into view when the caret
// fits in the window with it: after Enter at the end of a long line, the
// new line shows from its start, not from where the long line scrolled to.
const showLineStart = {
  key: 'hookengine-show-line-start',
  read(view) {
    const sc = view.scrollDOM;
    if (sc.scrollLeft === 0) return false;
    const head = view.state.selection.main.head;
    const at = view.coordsAtPos(head);
    const start = view.coordsAtPos(view.state.doc.lineAt(head).from);
    if (!at || !start) return false;
    const gutters = view.dom.querySelector('.cm-gutters');
    const room = sc.clientWidth - (gutters ? gutters.offsetWidth : 0) - 24;
    return at.left - start.left < room;
  },
  write(scroll, view) {
    if (scroll) view.scrollDOM.scrollLeft = 0;
  },
};

// createEditor makes an editor in parent. Options:
//   doc        the first text
//   language   'javascript' (default) or 'json'
//   label      the id of the element that labels the editor
//   describedBy ids of the elements that describe it
//   onChange   called after each change of the text
//   keys       more key bindings, [{key: 'Mod-Enter', run() {...}}]
// It returns the editor's handle (see below), also set as parent.hookEditor
// so that tests can reach it.
export function createEditor(parent, opts = {}) {
  const lang = opts.language === 'json' ? json() : javascript();
  // tabindex: the content is focusable anyway (contenteditable); saying
  // so lets checkers see that the scrolling area has keyboard access.
  const attrs = { tabindex: '0' };
  if (opts.label) attrs['aria-labelledby'] = opts.label;
  if (opts.describedBy) attrs['aria-describedby'] = opts.describedBy;
  if (opts.id) attrs.id = opts.id;
  const readOnly = new Compartment();
  let silent = false;
  const extensions = [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    history(),
    lintGutter(),
    drawSelection(),
    EditorState.allowMultipleSelections.of(true),
    indentOnInput(),
    syntaxHighlighting(highlight),
    lintTheme,
    bracketMatching(),
    closeBrackets(),
    rectangularSelection(),
    crosshairCursor(),
    highlightActiveLine(),
    highlightSelectionMatches(),
    EditorState.tabSize.of(2),
    keymap.of([
      ...(opts.keys || []),
      ...closeBracketsKeymap,
      ...defaultKeymap,
      ...searchKeymap,
      ...historyKeymap,
      ...lintKeymap,
      indentWithTab,
    ]),
    lang,
    readOnly.of([]),
    EditorView.contentAttributes.of(attrs),
    EditorView.updateListener.of((u) => {
      if (u.docChanged && !silent && opts.onChange) opts.onChange();
      if (u.selectionSet) u.view.requestMeasure(showLineStart);
    }),
  ];
  const view = new EditorView({
    parent,
    state: EditorState.create({ doc: opts.doc || '', extensions }),
  });

  const lineStart = (line) => {
    const doc = view.state.doc;
    return doc.line(Math.min(Math.max(1, line), doc.lines)).from;
  };
  const posOf = (line, column) => {
    const l = view.state.doc.line(Math.min(Math.max(1, line), view.state.doc.lines));
    return Math.min(l.from + Math.max(0, (column || 1) - 1), l.to);
  };

  const handle = {
    view,
    // value returns the text.
    value: () => view.state.doc.toString(),
    // set replaces the text without calling onChange, forgets the undo
    // history, and shows the first line.
    set(text) {
      silent = true;
      try {
        view.setState(EditorState.create({ doc: text, extensions }));
      } finally {
        silent = false;
      }
      view.scrollDOM.scrollTop = 0;
      view.scrollDOM.scrollLeft = 0;
    },
    // replace replaces the text as typing would: onChange is called and
    // the change can be undone.
    replace(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, userEvent: 'input' });
    },
    // mark shows problems: [{line, column, message, severity}]; column may
    // be absent. An empty list clears them.
    mark(problems) {
      const diagnostics = (problems || []).map((p) => {
        const from = p.column ? posOf(p.line, p.column) : lineStart(p.line);
        const l = view.state.doc.lineAt(from);
        const to = from < l.to ? from + 1 : from;
        return { from, to, severity: p.severity || 'error', message: p.message, source: p.source };
      });
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
    // goTo puts the caret at a line and column and focuses the editor.
    goTo(line, column) {
      const pos = posOf(line, column);
      view.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: 'center' }) });
      view.focus();
    },
    // caret returns the caret's line and column, 1-based.
    caret() {
      const pos = view.state.selection.main.head;
      const l = view.state.doc.lineAt(pos);
      return { line: l.number, column: pos - l.from + 1 };
    },
    focus: () => view.focus(),
    openSearch: () => openSearchPanel(view),
    setReadOnly(on) {
      view.dispatch({ effects: readOnly.reconfigure(on ? [EditorState.readOnly.of(true), EditorView.editable.of(false)] : []) });
    },
  };
  parent.hookEditor = handle;
  return handle;
}
