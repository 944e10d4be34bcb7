import { useRef, useState, type FormEvent } from 'react';
import type { MemberChanged, MemberView } from '../../../../src-main/shared/contract';
import { ErrorAlert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { Dialog } from '../../../components/ui/dialog';
import { ChangeOutcome } from '../../deploy/components/change-outcome';
import { ProgressLog } from '../../deploy/components/progress-log';
import { useProgress } from '../../deploy/hooks/use-progress';
import { memberAccessDraftOf, memberAccessInput, shownAccessErrors } from '../hooks/member-access-draft';
import { useSetMember } from '../hooks/use-members';
import { MemberAccessFields } from './member-access-fields';

const FORM_ID = 'member-edit-form';

/**
 * Changes what a member may use and its limits (members:set), then shows the deploy that carried the
 * change to the server's instances, as adding a member does.
 */
export function MemberEditDialog({ member, onClose }: { member: MemberView; onClose: () => void }) {
  const set = useSetMember();
  const progress = useProgress();
  const formRef = useRef<HTMLFormElement>(null);
  const [draft, setDraft] = useState(() => memberAccessDraftOf(member));
  const [submitted, setSubmitted] = useState(false);
  const [result, setResult] = useState<MemberChanged | null>(null);
  const errors = shownAccessErrors(draft, submitted);
  const close = () => {
    if (!set.pending) onClose();
  };

  async function save(e: FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    const input = memberAccessInput(draft);
    if (!input) {
      // The errors render with this state change; focus the first field in error after they do.
      requestAnimationFrame(() =>
        formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(),
      );
      return;
    }
    const changed = await set.run({
      server: member.server,
      name: member.name,
      ...input,
      streamId: progress.begin(),
    });
    if (changed.ok) setResult(changed.data);
  }

  const footer = result ? (
    <Button variant="primary" onClick={close} data-testid="member-edit-close-done" autoFocus>
      Close
    </Button>
  ) : (
    <>
      <Button variant="ghost" onClick={close} disabled={set.pending} data-testid="member-edit-cancel">
        Cancel
      </Button>
      <Button
        type="submit"
        form={FORM_ID}
        variant="primary"
        busy={set.pending}
        data-testid="member-edit-save"
      >
        Save
      </Button>
    </>
  );

  return (
    <Dialog title={`Edit ${member.name}`} onClose={close} footer={footer} testId="member-edit">
      {result ? (
        <ChangeOutcome deploys={result.deploys} deployError={result.deployError} testId="member-edit" />
      ) : (
        <form id={FORM_ID} ref={formRef} onSubmit={(e) => void save(e)} noValidate className="stack">
          <p className="muted">
            What {member.name} may use on {member.server}. The token stays as it is.
          </p>
          <MemberAccessFields
            idPrefix="member-edit"
            draft={draft}
            errors={errors}
            disabled={set.pending}
            onChange={setDraft}
          />
        </form>
      )}
      {set.error && <ErrorAlert error={set.error} testId="member-edit-error" />}
      {(set.pending || (result !== null && progress.lines.length > 0)) && (
        <ProgressLog lines={progress.lines} running={set.pending} testId="member-edit-progress" />
      )}
    </Dialog>
  );
}
