import { isObject, type JsonObject } from '../wire/jsonrpc';
import type { Session } from './session';

/**
 * Which session created which task (the 2025-11-25 tasks utility). The child sees one client, so
 * without this any session could read, await or cancel another's task by guessing its id.
 */
export class TaskOwners {
  private readonly owners = new Map<string, Session>();

  /** Records the task a result created, if it is a CreateTaskResult. */
  recordResult(session: Session, result: unknown): void {
    const task = isObject(result) ? result.task : undefined;
    if (isObject(task) && typeof task.taskId === 'string') this.owners.set(task.taskId, session);
  }

  owner(taskId: unknown): Session | undefined {
    return typeof taskId === 'string' ? this.owners.get(taskId) : undefined;
  }

  owns(session: Session, params: JsonObject | undefined): boolean {
    return this.owner(params?.taskId) === session;
  }

  /** Keeps only the session's own tasks in a tasks/list result. */
  filterList(session: Session, result: unknown): unknown {
    if (!isObject(result) || !Array.isArray(result.tasks)) return result;
    const tasks = result.tasks.filter((t: unknown) => isObject(t) && this.owner(t.taskId) === session);
    return { ...result, tasks };
  }

  /** The session a server message belongs to through its related-task metadata, if any. */
  relatedOwner(params: JsonObject | undefined): Session | undefined {
    const meta = params?._meta;
    const related = isObject(meta) ? meta['io.modelcontextprotocol/related-task'] : undefined;
    return isObject(related) ? this.owner(related.taskId) : undefined;
  }

  dropSession(session: Session): void {
    for (const [taskId, owner] of this.owners) if (owner === session) this.owners.delete(taskId);
  }
}
