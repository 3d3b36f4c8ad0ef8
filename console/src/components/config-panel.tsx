import { useCallback, useEffect } from 'react';
import { useQuery, useSubscription } from 'urql';
import { graphql } from '../gql/index.ts';
import type { ConfigRevisionFieldsFragment } from '../gql/graphql.ts';
import { ConfigEditor, SecretsEditor } from './config-editor.tsx';
import { ErrorText, Loading, Time } from './ui.tsx';

export const ConfigRevisionFields = graphql(`
  fragment ConfigRevisionFields on ConfigRevision {
    id number message createdAt createdBy { id login }
    variables { name value }
    files { path content }
    secrets { name updatedAt }
  }
`);

const EnvironmentConfig = graphql(`
  query EnvironmentConfig($id: ID!) {
    node(id: $id) {
      ... on Environment {
        id
        config { ...ConfigRevisionFields }
        configRevisions(first: 20) { totalCount nodes { ...ConfigRevisionFields } }
      }
    }
  }
`);

const ConfigChanged = graphql(`
  subscription ConfigChanged($id: ID!) { configChanged(environmentId: $id) { id number } }
`);

/**
 * The environment's configuration: the latest revision (variables, files, secret names: secret
 * values are never returned by the API, so never shown), the editors, and earlier revisions.
 * A revision someone else saves arrives live (`configChanged`) and replaces the one shown.
 */
export function ConfigPanel({ environmentId, mayEdit }: { environmentId: string; mayEdit: boolean }) {
  const [{ data, error, fetching }, refetch] = useQuery({ query: EnvironmentConfig, variables: { id: environmentId } });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const [{ data: changed }] = useSubscription({ query: ConfigChanged, variables: { id: environmentId } });
  const changedNumber = changed?.configChanged.number;
  useEffect(() => {
    if (changedNumber !== undefined) reload();
  }, [changedNumber, reload]);
  const env = data?.node && 'config' in data.node ? data.node : null;
  if (!env) return <section className="panel">{fetching ? <Loading what="the configuration" /> : <ErrorText error={error ?? 'No configuration.'} />}</section>;
  const config = env.config;
  return (
    <section aria-labelledby="config" className="panel">
      <h2 id="config">Configuration <span className="muted" data-testid="config-revision">revision {config.number}</span></h2>
      <p className="muted">
        By {config.createdBy.login} · <Time at={config.createdAt} />{config.message ? ` · ${config.message}` : ''}. The next release runs with it.
      </p>
      <RevisionContents revision={config} />
      {mayEdit ? (
        <>
          <ConfigEditor environmentId={environmentId} latest={config} onSaved={reload} />
          <SecretsEditor environmentId={environmentId} secrets={config.secrets} onSaved={reload} />
        </>
      ) : (
        <p className="hint">Your role lets you read this configuration; changing it takes a higher role.</p>
      )}
      <h3 id="revisions">Revisions ({env.configRevisions.totalCount})</h3>
      <ul className="revisions" aria-labelledby="revisions">
        {env.configRevisions.nodes.map((r) => (
          <li key={r.id}>
            <details>
              <summary>
                Revision {r.number} · {r.createdBy.login} · <Time at={r.createdAt} />{r.message ? ` · ${r.message}` : ''}
              </summary>
              <RevisionContents revision={r} />
            </details>
          </li>
        ))}
      </ul>
    </section>
  );
}

function RevisionContents({ revision }: { revision: ConfigRevisionFieldsFragment }) {
  return (
    <div className="revision">
      <table>
        <caption className="muted">Variables</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Value</th></tr></thead>
        <tbody>
          {revision.variables.length === 0 && <tr><td colSpan={2} className="muted">none</td></tr>}
          {revision.variables.map((v) => <tr key={v.name}><td className="mono">{v.name}</td><td className="mono value">{v.value}</td></tr>)}
        </tbody>
      </table>
      <table>
        <caption className="muted">Secrets (values are write-only)</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Value</th><th scope="col">Set</th></tr></thead>
        <tbody>
          {revision.secrets.length === 0 && <tr><td colSpan={3} className="muted">none</td></tr>}
          {revision.secrets.map((s) => <tr key={s.name} data-secret={s.name}><td className="mono">{s.name}</td><td className="muted">hidden</td><td><Time at={s.updatedAt} /></td></tr>)}
        </tbody>
      </table>
      {revision.files.map((f) => (
        <details key={f.path}>
          <summary>File <span className="mono">/etc/gantry/config/{f.path}</span></summary>
          <pre className="file">{f.content}</pre>
        </details>
      ))}
    </div>
  );
}
