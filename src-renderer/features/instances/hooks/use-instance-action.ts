/**
 * The dashboards' and the instance page's row actions: restart, redeploy, rotate the secret, remove.
 * One runs at a time; its progress and outcome are shown in a dialog.
 */
import { useState } from 'react';
import type { DeployResult, InstanceHealth, RotateResult } from '../../../../src-main/shared/contract';
import type { ErrorShape } from '../../../../src-main/shared/errors';
import { useMutation } from '../../../lib/use-query';
import { useProgress } from '../../deploy/hooks/use-progress';

export type ActionKind = 'restart' | 'redeploy' | 'rotate' | 'remove';

export interface ActionState {
  kind: ActionKind;
  instance: InstanceHealth;
  phase: 'confirm' | 'running' | 'done' | 'failed';
  error: ErrorShape | null;
  deploy: DeployResult | null;
  rotate: RotateResult | null;
}

/** Actions that ask first: they drop the container, or hand out new tokens. */
const ASK_FIRST: ReadonlySet<ActionKind> = new Set(['rotate', 'remove']);

export function useInstanceAction() {
  const [state, setState] = useState<ActionState | null>(null);
  const progress = useProgress();
  const restart = useMutation('instances:restart', ['instances']);
  const redeploy = useMutation('deploy:run', ['instances', 'servers']);
  const rotate = useMutation('secrets:rotate', ['members', 'instances']);
  const remove = useMutation('instances:remove', ['instances']);

  async function execute(next: ActionState) {
    const { instance } = next;
    setState({ ...next, phase: 'running' });
    const streamId = progress.begin();
    const ref = { name: instance.containerName, host: instance.host };
    let error: ErrorShape | null = null;
    let deploy: DeployResult | null = null;
    let rotated: RotateResult | null = null;
    switch (next.kind) {
      case 'restart': {
        const r = await restart.run(ref);
        if (!r.ok) error = r.error;
        break;
      }
      case 'remove': {
        const r = await remove.run(ref);
        if (!r.ok) error = r.error;
        break;
      }
      case 'redeploy': {
        const r = await redeploy.run({ server: instance.server, host: instance.host, streamId });
        if (r.ok) deploy = r.data;
        else error = r.error;
        break;
      }
      case 'rotate': {
        const r = await rotate.run({
          server: instance.server,
          streamId,
          ...(instance.member ? { member: instance.member } : {}),
        });
        if (r.ok) rotated = r.data;
        else error = r.error;
        break;
      }
    }
    setState({ ...next, phase: error ? 'failed' : 'done', error, deploy, rotate: rotated });
  }

  /** Finishes a rotation: the previous tokens stop working. */
  async function finishRotation() {
    if (!state) return;
    const { instance } = state;
    setState({ ...state, phase: 'running' });
    const r = await rotate.run({
      server: instance.server,
      finish: true,
      ...(instance.member ? { member: instance.member } : {}),
    });
    setState({
      ...state,
      phase: r.ok ? 'done' : 'failed',
      error: r.ok ? null : r.error,
      rotate: r.ok ? r.data : state.rotate,
    });
  }

  return {
    state,
    progress: progress.lines,
    start: (kind: ActionKind, instance: InstanceHealth) => {
      const next: ActionState = { kind, instance, phase: 'confirm', error: null, deploy: null, rotate: null };
      if (ASK_FIRST.has(kind)) setState(next);
      else void execute(next);
    },
    confirm: () => {
      if (state) void execute(state);
    },
    finishRotation,
    close: () => {
      setState(null);
      progress.clear();
    },
  };
}

export type InstanceAction = ReturnType<typeof useInstanceAction>;
