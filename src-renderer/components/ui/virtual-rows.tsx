/**
 * A windowed list of fixed-height rows: only the rows in view (plus a few) are in the DOM, so 500 or
 * 5,000 instances scroll as smoothly as 5. Arrow keys move the active row and keep it in view; Enter
 * activates it. No dependency: fixed heights make the arithmetic exact.
 */
import { useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

const OVERSCAN = 6;

export interface VirtualRowsProps {
  count: number;
  rowHeight: number;
  renderRow: (index: number, active: boolean) => ReactNode;
  onActivate?: (index: number) => void;
  label: string;
  testId: string;
}

export function VirtualRows({ count, rowHeight, renderRow, onActivate, label, testId }: VirtualRowsProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const [chosen, setActive] = useState(-1);
  // A shorter list (a filter) must not leave the active row pointing past its end.
  const active = Math.min(chosen, count - 1);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setHeight(el.clientHeight);
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  function moveTo(index: number) {
    const el = ref.current;
    const next = Math.max(0, Math.min(count - 1, index));
    setActive(next);
    if (!el) return;
    const top = next * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight)
      el.scrollTop = top + rowHeight - el.clientHeight;
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    // Keys typed into a control inside a row (a menu, a button) stay with that control.
    if (e.target !== e.currentTarget) return;
    const page = Math.max(1, Math.floor(height / rowHeight) - 1);
    const moves: Record<string, number> = {
      ArrowDown: active + 1,
      ArrowUp: active - 1,
      PageDown: active + page,
      PageUp: active - page,
      Home: 0,
      End: count - 1,
    };
    const target = moves[e.key];
    if (target !== undefined) {
      e.preventDefault();
      moveTo(target);
    } else if (e.key === 'Enter' && active >= 0 && onActivate) {
      e.preventDefault();
      onActivate(active);
    }
  }

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) rows.push(renderRow(i, i === active));

  return (
    <div
      ref={ref}
      className="virtual-rows"
      role="rowgroup"
      aria-label={label}
      tabIndex={0}
      data-testid={testId}
      data-count={count}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      onKeyDown={onKeyDown}
      onFocus={(e) => {
        if (e.target === e.currentTarget && active < 0 && count > 0) setActive(Math.max(first, 0));
      }}
    >
      <div className="virtual-rows-space" style={{ height: count * rowHeight }}>
        <div className="virtual-rows-window" style={{ transform: `translateY(${first * rowHeight}px)` }}>
          {rows}
        </div>
      </div>
    </div>
  );
}
