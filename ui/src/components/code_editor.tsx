// A plain code editor: a textarea with line numbers, and schema errors marked at their
// line (a band across the line, a marker in the gutter and the message beside it).
// Lines never wrap, so a line number is always one row.

import { useRef, useState } from 'preact/hooks';
import type { SchemaError } from '../schema_errors';

const LINE = 20; // px, matches .code-editor line-height
const PAD = 8; // px, matches .code-editor textarea padding-top

interface Props {
  id: string;
  value: string;
  onInput: (v: string) => void;
  errors: SchemaError[];
  rows?: number;
  describedBy?: string;
}

export function CodeEditor({ id, value, onInput, errors, rows = 22, describedBy }: Props) {
  const area = useRef<HTMLTextAreaElement>(null);
  const [scroll, setScroll] = useState({ top: 0, left: 0 });
  const count = value.split('\n').length;
  const errorLines = new Map<number, string>();
  for (const e of errors) if (e.line && !errorLines.has(e.line)) errorLines.set(e.line, e.message);

  const numbers: preact.JSX.Element[] = [];
  for (let i = 1; i <= count; i++)
    numbers.push(
      <div key={i} class={errorLines.has(i) ? 'err' : undefined}>
        {i}
      </div>,
    );

  // Tab indents by two spaces; Escape first lets Tab leave the editor as usual.
  const escaped = useRef(false);
  const onKeyDown = (e: KeyboardEvent) => {
    const t = e.currentTarget as HTMLTextAreaElement;
    if (e.key === 'Escape') {
      escaped.current = true;
      return;
    }
    if (e.key === 'Tab' && !e.shiftKey && !escaped.current && !e.ctrlKey && !e.altKey && !e.metaKey) {
      e.preventDefault();
      const { selectionStart: s, selectionEnd: end } = t;
      const v = t.value.slice(0, s) + '  ' + t.value.slice(end);
      t.value = v;
      t.selectionStart = t.selectionEnd = s + 2;
      onInput(v);
      return;
    }
    escaped.current = false;
  };

  return (
    <div class="code-editor" style={`--rows: ${rows}`}>
      <div class="gutter" aria-hidden="true">
        <div style={{ transform: `translateY(${-scroll.top}px)` }}>{numbers}</div>
      </div>
      <div class="code-body">
        <div class="marks" aria-hidden="true" style={{ transform: `translateY(${-scroll.top}px)` }}>
          {[...errorLines].map(([line, msg]) => (
            <div key={line} class="mark" style={{ top: `${PAD + (line - 1) * LINE}px` }}>
              <span class="mark-msg">{msg}</span>
            </div>
          ))}
        </div>
        <textarea
          id={id}
          ref={area}
          value={value}
          wrap="off"
          spellcheck={false}
          autocapitalize="off"
          autocomplete="off"
          aria-invalid={errors.length > 0}
          aria-describedby={describedBy}
          onInput={(e) => onInput(e.currentTarget.value)}
          onKeyDown={onKeyDown}
          onScroll={(e) => setScroll({ top: e.currentTarget.scrollTop, left: e.currentTarget.scrollLeft })}
        />
      </div>
    </div>
  );
}

// Moves the caret to the start of `line` (1-based) and scrolls it into view.
export function goToLine(id: string, line: number): void {
  const t = document.getElementById(id) as HTMLTextAreaElement | null;
  if (!t) return;
  const lines = t.value.split('\n');
  let pos = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
  t.focus();
  t.setSelectionRange(pos, pos + (lines[line - 1]?.length ?? 0));
  t.scrollTop = Math.max(0, (line - 1) * LINE - t.clientHeight / 2);
}
