import { useEffect, useState } from 'react';
import { Button } from './button';

export interface CopyButtonProps {
  text: string;
  testId: string;
  label?: string;
}

/** Copies `text` to the clipboard and says so for a moment; says so too when the browser refuses. */
export function CopyButton({ text, testId, label = 'Copy' }: CopyButtonProps) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 1500);
    return () => clearTimeout(timer);
  }, [state]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  }

  return (
    // A fixed minimum width, so the row does not shift when the label changes.
    <Button
      className="copy-button"
      onClick={() => void copy()}
      data-testid={testId}
      data-copied={state === 'copied' || undefined}
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy refused' : label}
    </Button>
  );
}
