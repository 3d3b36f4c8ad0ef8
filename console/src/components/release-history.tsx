import { useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../gql/index.ts';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { ErrorText, Status, Time } from './ui.tsx';

const Rollback = graphql(`
  mutation RollbackEnvironment($environmentId: ID!, $toReleaseId: ID) {
    rollbackEnvironment(environmentId: $environmentId, toReleaseId: $toReleaseId) { id version }
  }
`);

export interface HistoryRelease {
  id: string;
  version: string;
  image: string;
  strategy: string;
  status: string;
  statusMessage?: string | null;
  isRollback: boolean;
  createdAt: string;
  finishedAt?: string | null;
  createdBy: { login: string };
}

/**
 * The environment's releases, newest first: who, what image, when, how it ended; with roll back
 * (to the previous stable image, or to a chosen successful release) for viewers who may release.
 */
export function ReleaseHistory(props: {
  environmentId: string;
  environment: string;
  isProtected: boolean;
  releases: HistoryRelease[];
  currentReleaseId: string | null;
  mayAct: boolean;
  onRolledBack: () => void;
}) {
  const [target, setTarget] = useState<HistoryRelease | 'previous' | null>(null);
  const [state, rollback] = useMutation(Rollback);
  const run = async () => {
    const toReleaseId = target && target !== 'previous' ? target.id : null;
    setTarget(null);
    const result = await rollback({ environmentId: props.environmentId, toReleaseId });
    if (result.data) props.onRolledBack();
  };
  const where = `${props.environment}${props.isProtected ? ' (protected)' : ''}`;
  return (
    <section aria-labelledby="history">
      <h2 id="history">Release history</h2>
      {props.mayAct && props.currentReleaseId && (
        <button type="button" onClick={() => setTarget('previous')} disabled={state.fetching}>Roll back to the previous version</button>
      )}
      <ErrorText error={state.error} />
      {props.releases.length === 0 ? <p>No releases yet.</p> : (
        <table>
          <thead>
            <tr><th scope="col">Version</th><th scope="col">Image</th><th scope="col">Status</th><th scope="col">By</th><th scope="col">Started</th><th scope="col">Ended</th><th scope="col"><span className="sr-only">Actions</span></th></tr>
          </thead>
          <tbody>
            {props.releases.map((r) => (
              <tr key={r.id} data-release={r.id}>
                <td>{r.version}{r.isRollback && <span className="role">rollback</span>}{r.id === props.currentReleaseId && <span className="role">serving</span>}</td>
                <td className="mono">{r.image}</td>
                <td><Status value={r.status} />{r.statusMessage && <span className="muted"> {r.statusMessage}</span>}</td>
                <td>{r.createdBy.login}</td>
                <td><Time at={r.createdAt} /></td>
                <td><Time at={r.finishedAt} /></td>
                <td>
                  {props.mayAct && r.status === 'SUCCEEDED' && r.id !== props.currentReleaseId && (
                    <button type="button" onClick={() => setTarget(r)} disabled={state.fetching}>Roll back to {r.version}</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ConfirmDialog
        open={target !== null}
        title={target === 'previous' ? `Roll ${where} back to the previous version?` : `Roll ${where} back to ${target?.version ?? ''}?`}
        confirmLabel="Roll back"
        onConfirm={run}
        onCancel={() => setTarget(null)}
      >
        <p>A release in progress is superseded, and the rollback skips every pause.</p>
      </ConfirmDialog>
    </section>
  );
}
