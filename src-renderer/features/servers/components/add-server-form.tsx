import { useRef, type FormEvent } from 'react';
import { Button } from '../../../components/ui/button';
import { ErrorAlert } from '../../../components/ui/alert';
import { navigate } from '../../../lib/router';
import { useAddServer } from '../hooks/use-servers';
import { useServerForm } from '../hooks/use-server-form';
import { ServerFields } from './server-fields';

/** Adds a definition without deploying it (the wizard does both). */
export function AddServerForm() {
  const form = useServerForm();
  const add = useAddServer();
  const formRef = useRef<HTMLFormElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const firstBad = form.attemptSubmit();
    if (firstBad || !form.input) {
      // After the render that shows the errors (and opens the advanced settings when one is there).
      requestAnimationFrame(() =>
        formRef.current?.querySelector<HTMLElement>(`[id="server-${firstBad ?? 'name'}"]`)?.focus(),
      );
      return;
    }
    const result = await add.run(form.input);
    if (result.ok) navigate({ page: 'servers' });
  }

  return (
    <form
      ref={formRef}
      className="form"
      onSubmit={(e) => void submit(e)}
      onKeyDown={(e) => e.key === 'Escape' && navigate({ page: 'servers' })}
      noValidate
      data-testid="server-form"
    >
      <ServerFields form={form} />
      {add.error && <ErrorAlert error={add.error} testId="server-form-error" />}
      <div className="form-footer">
        <Button variant="ghost" onClick={() => navigate({ page: 'servers' })} data-testid="server-cancel">
          Cancel
        </Button>
        <Button type="submit" variant="primary" busy={add.pending} data-testid="server-submit">
          Add server
        </Button>
      </div>
    </form>
  );
}
