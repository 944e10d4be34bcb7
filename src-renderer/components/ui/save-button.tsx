import { Button } from './button';

/** Saves `text` as a file through the browser's own download (a Blob URL, revoked right after). */
export function SaveButton({ text, filename, testId }: { text: string; filename: string; testId: string }) {
  function save() {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = filename;
    link.rel = 'noopener';
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
  return (
    <Button onClick={save} data-testid={testId} title={`Save as ${filename}`}>
      Save as…
    </Button>
  );
}
