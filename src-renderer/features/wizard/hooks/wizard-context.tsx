/**
 * The wizard's draft lives above the routes, so stepping back, or visiting the Hosts page mid-way and
 * returning, loses nothing the operator typed.
 */
import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';
import type {
  DeployResult,
  HostCheck,
  Mode,
  ServersImportResult,
} from '../../../../src-main/shared/contract';
import type { MemberAccessDraft } from '../../members/hooks/member-access-draft';
import { useServerForm, type ServerForm } from '../../servers/hooks/use-server-form';

export interface WizardDraft {
  start: 'blank' | 'import';
  importText: string;
  importFileName: string | null;
  /** Import only this entry of the file (or, for a one-server file, the name to give it). */
  importEntry: string;
  importMode: Mode;
  imported: ServersImportResult | null;
  /** The server the wizard works on, once stored: created from the form or picked from an import. */
  server: string | null;
  /** The input the server was created from (blank start): a different form afterwards replaces it. */
  createdInput: string | null;
  host: string | null;
  /** The chosen host's check; the wizard goes on only when it says the host can run containers. */
  check: HostCheck | null;
  /** The host key the operator accepted (SSH hosts). */
  acceptedKey: string | null;
  /** Members to add with the definition, and their tokens once added (shown once, at the end). */
  members: MemberDraft[];
  /** What "Run" produced: the deploy result (ours, or the adoption of what the operator ran). */
  deploy: DeployResult | null;
}

export interface MemberDraft {
  /** Stable React key. */
  id: number;
  name: string;
  /** What the member may use (tools, resources, prompts) and its own limits. */
  access: MemberAccessDraft;
  /** Set once the member is stored. */
  token: string | null;
}

const initialDraft: WizardDraft = {
  start: 'blank',
  importText: '',
  importFileName: null,
  importEntry: '',
  importMode: 'shared',
  imported: null,
  server: null,
  createdInput: null,
  host: null,
  check: null,
  acceptedKey: null,
  members: [],
  deploy: null,
};

export interface Wizard {
  draft: WizardDraft;
  update: (patch: Partial<WizardDraft>) => void;
  form: ServerForm;
  /** Starts over: a new draft and an empty form (what is stored stays stored). */
  reset: () => void;
}

const WizardContext = createContext<Wizard | null>(null);

export function WizardProvider({ children }: { children: ReactNode }) {
  const [draft, setDraft] = useState<WizardDraft>(initialDraft);
  const form = useServerForm();
  const { reset: resetForm } = form;
  const update = useCallback((patch: Partial<WizardDraft>) => setDraft((old) => ({ ...old, ...patch })), []);
  const reset = useCallback(() => {
    setDraft(initialDraft);
    resetForm();
  }, [resetForm]);
  return <WizardContext.Provider value={{ draft, update, form, reset }}>{children}</WizardContext.Provider>;
}

export function useWizard(): Wizard {
  const wizard = useContext(WizardContext);
  if (!wizard) throw new Error('useWizard outside WizardProvider');
  return wizard;
}
