/**
 * Stores the wizard's definition when the operator leaves step 1: added the first time; replaced
 * (removed and added again, before anything is deployed) when the form changed after that. Then the
 * members not stored yet are added; their tokens are kept in the draft to show once.
 */
import { useState } from 'react';
import type { ErrorShape } from '../../../../src-main/shared/errors';
import { useMutation } from '../../../lib/use-query';
import { memberAccessInput } from '../../members/hooks/member-access-draft';
import { useWizard, type MemberDraft } from './wizard-context';

export function useSaveDefinition() {
  const { draft, update, form } = useWizard();
  const add = useMutation('servers:add', ['servers']);
  const remove = useMutation('servers:remove', ['servers']);
  const addMember = useMutation('members:add', ['members']);
  const [error, setError] = useState<ErrorShape | null>(null);
  const [pending, setPending] = useState(false);

  async function saveServer(): Promise<{ server: string; members: MemberDraft[] } | null> {
    const server = draft.server;
    if (draft.start === 'import' && server !== null) return { server, members: draft.members };
    if (!form.input) return null;
    const key = JSON.stringify(form.input);
    if (server !== null && draft.createdInput === key) return { server, members: draft.members };
    if (server !== null) {
      const removed = await remove.run({ name: server });
      if (!removed.ok) {
        setError({
          code: removed.error.code,
          message: `cannot replace ${server} with the changed definition: ${removed.error.message}`,
        });
        return null;
      }
      update({ server: null, createdInput: null });
    }
    const added = await add.run(form.input);
    if (!added.ok) {
      setError(added.error);
      return null;
    }
    // Removing the old definition removed its members too: they are added again below.
    const members = draft.members.map((m) => ({ ...m, token: null }));
    update({ server: added.data.name, createdInput: key, members });
    return { server: added.data.name, members };
  }

  /** Resolves true when the store holds the definition and every member of the form. */
  async function save(): Promise<boolean> {
    setError(null);
    setPending(true);
    try {
      const saved = await saveServer();
      if (!saved) return false;
      let members = saved.members;
      for (const m of members) {
        if (m.token !== null) continue;
        const access = memberAccessInput(m.access);
        if (!access) {
          setError({ code: 'invalid_input', message: `member ${m.name.trim()}: fix its access above` });
          return false;
        }
        const result = await addMember.run({ server: saved.server, name: m.name.trim(), ...access });
        if (!result.ok) {
          setError({ code: result.error.code, message: `member ${m.name.trim()}: ${result.error.message}` });
          return false;
        }
        members = members.map((x) => (x.id === m.id ? { ...x, token: result.data.token } : x));
        update({ members });
      }
      return true;
    } finally {
      setPending(false);
    }
  }

  return { save, error, pending };
}
