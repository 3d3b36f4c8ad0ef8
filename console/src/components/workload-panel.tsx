import { useEffect, useRef } from 'react';
import { useSubscription } from 'urql';
import { graphql } from '../gql/index.ts';
import type { PodEventsSubscription, WorkloadFieldsFragment } from '../gql/graphql.ts';
import { Time } from './ui.tsx';

export const WorkloadFields = graphql(`
  fragment WorkloadFields on Workload {
    desiredReplicas readyReplicas declaredReplicas stableReplicas drift
    versions { deployment version image desiredReplicas replicas readyReplicas trafficWeight }
    pods { name version phase ready restarts startedAt }
  }
`);

const WorkloadChanged = graphql(`
  subscription WorkloadChanged($id: ID!) { workloadChanged(environmentId: $id) { ...WorkloadFields } }
`);

const PodEvents = graphql(`
  subscription PodEvents($id: ID!) { podEvents(environmentId: $id) { type pod { name phase ready restarts } } }
`);

type PodEvent = PodEventsSubscription['podEvents'];

/**
 * The live workload: versions with their replicas, ready counts and traffic, and the pods with
 * phase, readiness and restarts. `workloadChanged` sends the whole state first and after every
 * change (no polling); `podEvents` lists the latest pod changes.
 */
export function WorkloadPanel(props: { environmentId: string; initial: WorkloadFieldsFragment; onVersionsChanged: () => void }) {
  const { environmentId, initial, onVersionsChanged } = props;
  const [{ data }] = useSubscription({ query: WorkloadChanged, variables: { id: environmentId } });
  const [{ data: podEvents }] = useSubscription(
    { query: PodEvents, variables: { id: environmentId } },
    (previous: PodEvent[] = [], event) => [event.podEvents, ...previous].slice(0, 8),
  );
  const workload = data?.workloadChanged ?? initial;
  // A new Deployment (someone else's release or rollback) or one gone: the page's release view is stale.
  const versions = workload.versions.map((v) => v.version).sort().join(' ');
  const seen = useRef(versions);
  useEffect(() => {
    if (seen.current === versions) return;
    seen.current = versions;
    onVersionsChanged();
  }, [versions, onVersionsChanged]);
  return (
    <section aria-labelledby="workload" className="panel">
      <h2 id="workload">Workload</h2>
      <p data-testid="workload-summary">
        {workload.readyReplicas} of {workload.desiredReplicas} pods ready · {workload.declaredReplicas} declared
        {workload.drift && <strong className="warn"> · drift: the stable Deployment asks for {workload.stableReplicas} (someone scaled it)</strong>}
      </p>
      <table>
        <caption className="muted">Versions</caption>
        <thead><tr><th scope="col">Version</th><th scope="col">Image</th><th scope="col">Ready / replicas</th><th scope="col">Traffic</th></tr></thead>
        <tbody>
          {workload.versions.map((v) => (
            <tr key={v.deployment}>
              <td>{v.version}</td><td className="mono">{v.image}</td>
              <td>{v.readyReplicas} / {v.replicas} (wants {v.desiredReplicas})</td>
              <td>{v.trafficWeight == null ? '–' : `${v.trafficWeight}%`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table>
        <caption className="muted">Pods</caption>
        <thead><tr><th scope="col">Pod</th><th scope="col">Version</th><th scope="col">Phase</th><th scope="col">Ready</th><th scope="col">Restarts</th><th scope="col">Started</th></tr></thead>
        <tbody>
          {workload.pods.map((pod) => (
            <tr key={pod.name}>
              <td className="mono">{pod.name}</td><td>{pod.version ?? '–'}</td><td>{pod.phase.toLowerCase()}</td>
              <td>{pod.ready ? 'ready' : 'not ready'}</td><td>{pod.restarts}</td><td><Time at={pod.startedAt} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      {podEvents && podEvents.length > 0 && (
        <>
          <h3 id="pod-events">Latest pod changes</h3>
          <ul aria-labelledby="pod-events" className="events" tabIndex={0}>
            {podEvents.map((e, i) => (
              <li key={`${e.pod.name}-${i}`}>{e.type.toLowerCase()} <span className="mono">{e.pod.name}</span> {e.pod.phase.toLowerCase()}{e.pod.ready ? ', ready' : ''}</li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
