import { useRef, useState, type FormEvent } from 'react';
import { ErrorAlert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { ServerDefinition } from '../../servers/components/server-definition';
import { ServerFields } from '../../servers/components/server-fields';
import { useServer } from '../../servers/hooks/use-server';
import { memberErrors } from '../hooks/member-drafts';
import { useSaveDefinition } from '../hooks/use-save-definition';
import { useWizard } from '../hooks/wizard-context';
import { MembersEditor } from './members-editor';
import { WizardFooter } from './wizard-footer';

/** Step 1: what to run, and for whom. A blank start edits the form; an import shows what the file defined. */
export function StepConfigure({ onBack, onNext }: { onBack: () => void; onNext: () => void }) {
  const { draft, form, update } = useWizard();
  const definition = useSaveDefinition();
  const formRef = useRef<HTMLFormElement>(null);
  const [tried, setTried] = useState(false);
  const importedName = draft.start === 'import' ? draft.server : null;
  const imported = useServer(importedName);
  const mode = importedName !== null ? imported.data?.mode : form.values.mode;
  const membersMissing = mode === 'dedicated' && draft.members.length === 0;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setTried(true);
    const firstBad = importedName === null ? form.attemptSubmit() : null;
    if (importedName === null && (firstBad || !form.input)) {
      // After the render that shows the errors (and opens the advanced settings when one is there).
      requestAnimationFrame(() =>
        formRef.current?.querySelector<HTMLElement>(`[id="server-${firstBad ?? 'name'}"]`)?.focus(),
      );
      return;
    }
    if (Object.keys(memberErrors(draft.members)).length > 0 || membersMissing) {
      requestAnimationFrame(() =>
        formRef.current
          ?.querySelector<HTMLElement>('[data-testid^="wizard-member-"][aria-invalid="true"]')
          ?.focus(),
      );
      return;
    }
    if (await definition.save()) onNext();
  }

  return (
    <form
      ref={formRef}
      className="wizard-step"
      onSubmit={(e) => void submit(e)}
      noValidate
      data-testid="wizard-step-1"
    >
      <h2 className="step-title">Configure the server</h2>
      {importedName !== null ? (
        <>
          <p className="step-lead">
            Imported from the file. Change the definition later with <code>mcp-fleet servers</code>, or start
            over blank to type it in.
          </p>
          {imported.error && <ErrorAlert error={imported.error} testId="wizard-imported-error" />}
          {imported.data ? (
            <ServerDefinition server={imported.data} editable={false} />
          ) : (
            <div className="skeleton skeleton-md" aria-busy="true" />
          )}
        </>
      ) : (
        <>
          <p className="step-lead">
            What to run and how. Secret values are stored encrypted and never shown again; the container reads
            them from a file, not its command line.
          </p>
          <ServerFields form={form} />
        </>
      )}
      <MembersEditor
        mode={mode ?? 'shared'}
        members={draft.members}
        showErrors={tried}
        onChange={(members) => update({ members })}
      />
      {tried && membersMissing && (
        <p className="field-error" role="alert" data-testid="wizard-members-missing">
          A Dedicated server runs one instance per member: add at least one member.
        </p>
      )}
      {definition.error && <ErrorAlert error={definition.error} testId="wizard-configure-error" />}
      <WizardFooter onBack={onBack}>
        <Button type="submit" variant="primary" busy={definition.pending} data-testid="wizard-next">
          Next
        </Button>
      </WizardFooter>
    </form>
  );
}
