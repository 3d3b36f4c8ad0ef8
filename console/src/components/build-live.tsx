import { useState, type FormEvent } from 'react';
import { useMutation, useSubscription } from 'urql';
import { graphql } from '../gql/index.ts';
import type { BuildFieldsFragment, LogLineFieldsFragment } from '../gql/graphql.ts';
import { navigate, paths } from '../router.tsx';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { LogLines } from './log-lines.tsx';
import { ErrorText, Status, Time } from './ui.tsx';

const BuildLogs = graphql(`
  subscription BuildLogs($id: ID!, $after: String) { buildLogs(buildId: $id, after: $after) { ...LogLineFields } }
`);
const ReleaseBuild = graphql(`
  mutation ReleaseBuild($input: CreateReleaseInput!) { createRelease(input: $input) { id version image } }
`);

/** Lines of output kept on the page. */
const MAX_LINES = 2000;

/** The stages as a table (status, cache, times) and the build's event log. */
export function BuildStages({ build, events }: { build: BuildFieldsFragment; events: readonly { sequence: number; at: string; type: string; stage?: string | null; message: string }[] }) {
  return (
    <section aria-labelledby="stages" className="panel" data-build-status={build.status}>
      <h2 id="stages">Stages</h2>
      <table>
        <thead><tr><th scope="col">Stage</th><th scope="col">Status</th><th scope="col">Cache</th><th scope="col">Started</th><th scope="col">Finished</th></tr></thead>
        <tbody>
          {build.stages.map((s) => (
            <tr key={s.name} data-stage={s.name} data-status={s.status}>
              <td className="mono">{s.name}</td><td><Status value={s.status} /></td>
              <td>{s.cacheHit == null ? '–' : s.cacheHit ? 'reused' : 'built'}</td>
              <td><Time at={s.startedAt} /></td><td><Time at={s.finishedAt} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3 id="build-events">Events</h3>
      <div role="log" aria-labelledby="build-events" className="events" tabIndex={0}>
        <ol>
          {events.map((e) => (
            <li key={e.sequence} data-type={e.type}>
              <Time at={e.at} /> <strong>{e.type.replace(/_/g, ' ').toLowerCase()}</strong>{e.stage ? ` ${e.stage}` : ''} {e.message}
            </li>
          ))}
        </ol>
      </div>
    </section>
  );
}

/** The build's output, every stage's lines in order, live while it runs (`buildLogs`). */
export function BuildOutput({ buildId }: { buildId: string }) {
  const [{ data, error }] = useSubscription(
    { query: BuildLogs, variables: { id: buildId, after: null } },
    (previous: LogLineFieldsFragment[] = [], event) => [...previous.slice(-(MAX_LINES - 1)), event.buildLogs],
  );
  return (
    <section aria-labelledby="build-output">
      <h2 id="build-output">Output</h2>
      {error && <ErrorText error={error} />}
      <LogLines lines={data ?? []} label="Build output" showVersion={false} />
    </section>
  );
}

/** Releases the build's image (by digest) to an environment the viewer may release to, then opens it. */
export function ReleaseBuildForm(props: { buildId: string; number: number; slug: string; app: string; environments: readonly { id: string; name: string; protected: boolean }[] }) {
  const [state, release] = useMutation(ReleaseBuild);
  const [environmentId, setEnvironmentId] = useState(props.environments[0]!.id);
  const [asking, setAsking] = useState(false);
  const target = props.environments.find((e) => e.id === environmentId)!;
  const run = async () => {
    setAsking(false);
    const result = await release({ input: { environmentId, buildId: props.buildId } });
    if (result.data) navigate(paths.environment(props.slug, props.app, target.name));
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (target.protected) setAsking(true);
    else void run();
  };
  return (
    <section aria-labelledby="release-build">
      <h2 id="release-build">Release this build</h2>
      <form className="inline" onSubmit={submit}>
        <label>Environment
          <select value={environmentId} onChange={(e) => setEnvironmentId(e.target.value)}>
            {props.environments.map((e) => <option key={e.id} value={e.id}>{e.name}{e.protected ? ' (protected)' : ''}</option>)}
          </select>
        </label>
        <button type="submit" className="primary" disabled={state.fetching}>Release build {props.number}</button>
      </form>
      <ConfirmDialog open={asking} title={`Release build ${props.number} to ${target.name} (protected)?`} confirmLabel="Release" onConfirm={() => void run()} onCancel={() => setAsking(false)} />
      <ErrorText error={state.error} />
    </section>
  );
}
