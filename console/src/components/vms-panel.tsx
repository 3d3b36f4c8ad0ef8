import { useMemo } from 'react';
import { useQuery, useSubscription } from 'urql';
import { graphql } from '../gql/index.ts';
import type { VmHostFieldsFragment } from '../gql/graphql.ts';
import { ErrorText, Loading, Status, Time } from './ui.tsx';

export const VmHostFields = graphql(`
  fragment VmHostFields on VmHost { id name status version healthy lastSeenAt address message }
`);
const EnvironmentVms = graphql(`
  query EnvironmentVms($id: ID!) {
    node(id: $id) {
      ... on Environment { id vmHosts { ...VmHostFields } trafficSplit { frontend vmWeight cloudWeight appliedAt } }
    }
  }
`);
const VmHostsChanged = graphql(`subscription VmHostsChanged($id: ID!) { vmHostsChanged(environmentId: $id) { ...VmHostFields } }`);

/** The environment's VM hosts (live from `vmHostsChanged`) and the load balancer's split between VMs and cluster. */
export function VmsPanel({ environmentId }: { environmentId: string }) {
  const [{ data, error, fetching }] = useQuery({ query: EnvironmentVms, variables: { id: environmentId } });
  const [{ data: changes }] = useSubscription(
    { query: VmHostsChanged, variables: { id: environmentId } },
    (previous: Record<string, VmHostFieldsFragment> = {}, event) => ({ ...previous, [event.vmHostsChanged.id]: event.vmHostsChanged }),
  );
  const env = data?.node && 'vmHosts' in data.node ? data.node : null;
  const hosts = useMemo(() => {
    const latest = { ...Object.fromEntries((env?.vmHosts ?? []).map((h) => [h.id, h])), ...changes };
    return Object.values(latest).sort((a, b) => a.name.localeCompare(b.name));
  }, [env, changes]);
  if (!env) return <section className="panel">{fetching ? <Loading what="the VM hosts" /> : <ErrorText error={error} />}</section>;
  const split = env.trafficSplit;
  return (
    <section aria-labelledby="vms" className="panel">
      <h2 id="vms">VM hosts and traffic split</h2>
      {split ? (
        <p data-testid="traffic-split">
          Load balancer at <span className="mono">{split.frontend}</span>: VMs {split.vmWeight}% · cluster {split.cloudWeight}% (applied <Time at={split.appliedAt} />)
        </p>
      ) : <p className="muted">No VM hosts: all traffic goes to the cluster.</p>}
      {hosts.length > 0 && (
        <table>
          <thead><tr><th scope="col">Host</th><th scope="col">Status</th><th scope="col">Version</th><th scope="col">Healthy</th><th scope="col">Address</th><th scope="col">Last seen</th><th scope="col">Message</th></tr></thead>
          <tbody>
            {hosts.map((h) => (
              <tr key={h.id}>
                <td className="mono">{h.name}</td><td><Status value={h.status} /></td><td>{h.version ?? '–'}</td><td>{h.healthy ? 'yes' : 'no'}</td>
                <td className="mono">{h.address ?? '–'}</td><td><Time at={h.lastSeenAt} /></td><td>{h.message ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
