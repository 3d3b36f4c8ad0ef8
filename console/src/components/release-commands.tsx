import { useState } from 'react';
import { useMutation, type CombinedError } from 'urql';
import { graphql } from '../gql/index.ts';
import type { ReleaseLiveFragment } from '../gql/graphql.ts';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { FINAL_STATUSES } from './release-fields.ts';
import { ErrorText } from './ui.tsx';

const Promote = graphql(`
  mutation PromoteRelease($id: ID!, $expectedStepIndex: Int) {
    promoteRelease(id: $id, expectedStepIndex: $expectedStepIndex) { ...ReleaseLive }
  }
`);
const PromoteFully = graphql(`
  mutation PromoteReleaseFully($id: ID!) { promoteReleaseFully(id: $id) { ...ReleaseLive } }
`);
const Pause = graphql(`
  mutation PauseRelease($id: ID!) { pauseRelease(id: $id) { ...ReleaseLive } }
`);
const Resume = graphql(`
  mutation ResumeRelease($id: ID!) { resumeRelease(id: $id) { ...ReleaseLive } }
`);
const Abort = graphql(`
  mutation AbortRelease($id: ID!, $reason: String) { abortRelease(id: $id, reason: $reason) { ...ReleaseLive } }
`);

type Command = 'promote' | 'promoteFully' | 'pause' | 'resume' | 'abort';

interface Ask {
  command: Command;
  title: string;
  label: string;
}

/**
 * The commands a release in progress allows now, for a viewer whose role allows them. On a
 * protected environment each asks for confirmation first; an abort always asks (for its reason).
 * A refusal is shown in words (STALE_STEP: someone promoted already).
 */
export function ReleaseCommands({ release, environment, isProtected }: { release: ReleaseLiveFragment; environment: string; isProtected: boolean }) {
  const [asking, setAsking] = useState<Ask | null>(null);
  const [error, setError] = useState<CombinedError | null>(null);
  const [busy, setBusy] = useState(false);
  const [, promote] = useMutation(Promote);
  const [, promoteFully] = useMutation(PromoteFully);
  const [, pause] = useMutation(Pause);
  const [, resume] = useMutation(Resume);
  const [, abort] = useMutation(Abort);

  if (FINAL_STATUSES.has(release.status)) return null;
  const step = release.currentStepIndex == null ? undefined : release.steps[release.currentStepIndex];
  const next = release.currentStepIndex == null ? undefined : release.steps[release.currentStepIndex + 1];
  const waiting = step?.status === 'WAITING_FOR_PROMOTION';
  const canary = release.strategy === 'CANARY';

  const run = async (command: Command, reason: string) => {
    setAsking(null);
    setBusy(true);
    setError(null);
    const id = release.id;
    const result =
      command === 'promote' ? await promote({ id, expectedStepIndex: release.currentStepIndex })
      : command === 'promoteFully' ? await promoteFully({ id })
      : command === 'pause' ? await pause({ id })
      : command === 'resume' ? await resume({ id })
      : await abort({ id, reason: reason || null });
    setBusy(false);
    if (result.error) setError(result.error);
  };
  const ask = (command: Command, title: string, label: string) => {
    if (isProtected || command === 'abort') setAsking({ command, title, label });
    else void run(command, '');
  };
  const where = `${environment}${isProtected ? ' (protected)' : ''}`;

  return (
    <div className="commands" role="group" aria-label="Release commands">
      {canary && waiting && (
        <button type="button" className="primary" disabled={busy} onClick={() => ask('promote', `Promote ${release.version} on ${where} to ${next?.weight ?? 100}%?`, 'Promote')}>
          Promote to {next?.weight ?? 100}%
        </button>
      )}
      {canary && (
        <button type="button" disabled={busy} onClick={() => ask('promoteFully', `Promote ${release.version} on ${where} straight to 100%?`, 'Promote fully')}>
          Promote fully
        </button>
      )}
      {canary && release.status === 'PROGRESSING' && !waiting && (
        <button type="button" disabled={busy} onClick={() => ask('pause', `Pause ${release.version} on ${where}?`, 'Pause')}>Pause</button>
      )}
      {release.status === 'PAUSED' && !waiting && (
        <button type="button" disabled={busy} onClick={() => ask('resume', `Resume ${release.version} on ${where}?`, 'Resume')}>Resume</button>
      )}
      <button type="button" className="danger" disabled={busy} onClick={() => ask('abort', `Abort ${release.version} on ${where}? All traffic goes back to the stable version.`, 'Abort release')}>
        Abort
      </button>
      <ConfirmDialog
        open={asking !== null}
        title={asking?.title ?? ''}
        confirmLabel={asking?.label ?? ''}
        {...(asking?.command === 'abort' ? { textLabel: 'Reason (recorded with the release)' } : {})}
        onConfirm={(text) => asking && void run(asking.command, text)}
        onCancel={() => setAsking(null)}
      />
      <ErrorText error={error} />
    </div>
  );
}
