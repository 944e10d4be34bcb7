/**
 * The approved set a server's bridges serve from (`--approved`), as the store holds it: the pins and
 * the server's auto-approval of new entries. Before a first set is recorded, a server's bridges serve
 * every entry they list and report each (autoApproveNew, nothing pinned): the pin service records
 * those as the first set at the first green deploy (see pin-service.ts).
 */
import { PIN_KINDS, type ApprovedSet } from '../../shared/tool-pins';
import type { Store } from '../store/store';

export function approvedSetOfStore(store: Store, serverId: string): ApprovedSet {
  const set: ApprovedSet = { tools: {}, prompts: {}, resourceTemplates: {}, autoApproveNew: true };
  const state = store.pins.state(serverId);
  if (state.recordedAt === null) return set;
  set.autoApproveNew = state.autoApproveNew;
  for (const pin of store.pins.pins(serverId)) {
    if (PIN_KINDS.includes(pin.kind)) set[pin.kind][pin.name] = pin.hash;
  }
  return set;
}

/** The file's text: JSON, keys in a fixed order, ending in a newline. */
export function approvedFileContent(store: Store, serverId: string): string {
  const set = approvedSetOfStore(store, serverId);
  const sorted = (pins: Record<string, string>) =>
    Object.fromEntries(Object.entries(pins).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${JSON.stringify({
    tools: sorted(set.tools),
    prompts: sorted(set.prompts),
    resourceTemplates: sorted(set.resourceTemplates),
    autoApproveNew: set.autoApproveNew,
  })}\n`;
}
