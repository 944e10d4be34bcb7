import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { createPortal } from 'react-dom';

export interface MenuItem {
  label: string;
  testId: string;
  danger?: boolean;
  onSelect: () => void;
}

const MENU_WIDTH = 170;

/**
 * A button that opens a short list of actions; arrow keys move, Enter picks, Escape closes. The list is
 * portalled to the body at fixed coordinates, so a scrolling (or transformed) list row cannot clip it.
 */
export function Menu({ label, items, testId }: { label: string; items: MenuItem[]; testId: string }) {
  const [open, setOpen] = useState(false);
  const [at, setAt] = useState({ top: 0, left: 0 });
  const root = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLUListElement>(null);

  useEffect(() => {
    if (!open) return;
    list.current?.querySelector<HTMLButtonElement>('button')?.focus();
    const close = (e: Event) => {
      const target = e.target as Node;
      if (!root.current?.contains(target) && !list.current?.contains(target)) setOpen(false);
    };
    // Scrolling would move the button away from a list at fixed coordinates: close instead.
    const onScroll = (e: Event) => {
      if (!list.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('scroll', onScroll, true);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('scroll', onScroll, true);
    };
  }, [open]);

  function onKeyDown(e: KeyboardEvent<HTMLUListElement>) {
    const buttons = [...(list.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = (at + (e.key === 'ArrowDown' ? 1 : -1) + buttons.length) % buttons.length;
      buttons[next]?.focus();
    } else if (e.key === 'Escape' || e.key === 'Tab') {
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
      root.current?.querySelector<HTMLButtonElement>('button')?.focus();
    }
  }

  return (
    <div className="menu" ref={root}>
      <button
        type="button"
        className="btn btn-ghost menu-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={label}
        data-testid={testId}
        onClick={(e) => {
          const rect = e.currentTarget.getBoundingClientRect();
          const height = items.length * 30 + 10;
          const below = rect.bottom + 4 + height < window.innerHeight;
          setAt({
            top: below ? rect.bottom + 4 : Math.max(4, rect.top - 4 - height),
            left: Math.max(4, rect.right - MENU_WIDTH),
          });
          setOpen((o) => !o);
        }}
      >
        ⋯
      </button>
      {open &&
        createPortal(
          <ul
            className="menu-list"
            role="menu"
            ref={list}
            onKeyDown={onKeyDown}
            style={{ top: at.top, left: at.left, width: MENU_WIDTH }}
          >
            {items.map((item) => (
              <li key={item.testId} role="none">
                <button
                  type="button"
                  role="menuitem"
                  className={item.danger ? 'menu-item is-danger' : 'menu-item'}
                  data-testid={item.testId}
                  onClick={() => {
                    setOpen(false);
                    item.onSelect();
                  }}
                >
                  {item.label}
                </button>
              </li>
            ))}
          </ul>,
          document.body,
        )}
    </div>
  );
}
