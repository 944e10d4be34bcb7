import { saveFile } from '../../lib/save-file';
import { Button } from './button';

/** Saves `text` as a file through the browser's own download. */
export function SaveButton({ text, filename, testId }: { text: string; filename: string; testId: string }) {
  return (
    <Button onClick={() => saveFile(text, filename)} data-testid={testId} title={`Save as ${filename}`}>
      Save as…
    </Button>
  );
}
