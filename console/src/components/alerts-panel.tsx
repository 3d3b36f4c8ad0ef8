import { useCallback, useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useSubscription, type CombinedError } from 'urql';
import { graphql } from '../gql/index.ts';
import type { AlertFieldsFragment, AlertEventsSubscription } from '../gql/graphql.ts';
import { ErrorText, Loading, Status, Time } from './ui.tsx';

export const AlertFields = graphql(`
  fragment AlertFields on Alert {
    id status startsAt endsAt summary
    subscription { id template { id name severity } environment { id } }
  }
`);
const EnvironmentAlerts = graphql(`
  query EnvironmentAlerts($id: ID!) {
    alertTemplates { id name description severity forSeconds builtIn parameters { name description default type } }
    node(id: $id) {
      ... on Environment {
        id
        alertSubscriptions { id parameters webhookUrl abortsReleases createdBy { id login } template { id name severity } }
        alerts(first: 20) { totalCount nodes { ...AlertFields } }
      }
    }
  }
`);
const AlertEvents = graphql(`subscription AlertEvents($projectId: ID!) { alertEvents(projectId: $projectId) { ...AlertFields } }`);
const Subscribe = graphql(`mutation SubscribeToAlert($input: SubscribeToAlertInput!) { subscribeToAlert(input: $input) { id } }`);
const Unsubscribe = graphql(`mutation UnsubscribeFromAlert($id: ID!) { unsubscribeFromAlert(id: $id) }`);

/**
 * Alerts of the environment: its subscriptions to the platform's alert templates (subscribe with
 * parameters, unsubscribe), and its alerts, firing and resolved, live from `alertEvents`.
 */
export function AlertsPanel({ projectId, environmentId, mayEdit }: { projectId: string; environmentId: string; mayEdit: boolean }) {
  const [{ data, error, fetching }, refetch] = useQuery({ query: EnvironmentAlerts, variables: { id: environmentId } });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  // The project's stream, kept to this environment; an alert's later state replaces its earlier one.
  const [{ data: live }] = useSubscription(
    { query: AlertEvents, variables: { projectId } },
    (previous: AlertEventsSubscription['alertEvents'][] = [], event) =>
      event.alertEvents.subscription.environment.id === environmentId ? [event.alertEvents, ...previous.filter((a) => a.id !== event.alertEvents.id)].slice(0, 50) : previous,
  );
  const [, unsubscribe] = useMutation(Unsubscribe);
  const [problem, setProblem] = useState<CombinedError | null>(null);
  const env = data?.node && 'alertSubscriptions' in data.node ? data.node : null;
  const alerts = useMemo(() => {
    const stored = env?.alerts.nodes ?? [];
    const newer = new Set((live ?? []).map((a) => a.id));
    return [...(live ?? []), ...stored.filter((a) => !newer.has(a.id))];
  }, [env, live]);
  if (!env || !data) return <section className="panel">{fetching ? <Loading what="the alerts" /> : <ErrorText error={error} />}</section>;

  const remove = async (id: string) => {
    const result = await unsubscribe({ id });
    setProblem(result.error ?? null);
    if (!result.error) reload();
  };
  const firing = alerts.filter((a) => a.status === 'FIRING');
  return (
    <section aria-labelledby="alerts" className="panel">
      <h2 id="alerts">Alerts {firing.length > 0 && <span className="status status-failed">{firing.length} firing</span>}</h2>
      <table>
        <caption className="muted">Alerts, newest first (live)</caption>
        <thead><tr><th scope="col">Status</th><th scope="col">Alert</th><th scope="col">Severity</th><th scope="col">Since</th><th scope="col">Resolved</th></tr></thead>
        <tbody>
          {alerts.length === 0 && <tr><td colSpan={5} className="muted">No alerts.</td></tr>}
          {alerts.map((a: AlertFieldsFragment) => (
            <tr key={a.id} data-alert={a.id} data-status={a.status}>
              <td><Status value={a.status} /></td><td>{a.summary}</td><td>{a.subscription.template.severity.toLowerCase()}</td>
              <td><Time at={a.startsAt} /></td><td><Time at={a.endsAt} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3 id="alert-subscriptions">Subscriptions</h3>
      <table aria-labelledby="alert-subscriptions">
        <thead><tr><th scope="col">Template</th><th scope="col">Parameters</th><th scope="col">Webhook</th><th scope="col">Aborts releases</th><th scope="col">By</th>{mayEdit && <th scope="col"><span className="sr-only">Commands</span></th>}</tr></thead>
        <tbody>
          {env.alertSubscriptions.length === 0 && <tr><td colSpan={mayEdit ? 6 : 5} className="muted">No subscriptions.</td></tr>}
          {env.alertSubscriptions.map((s) => (
            <tr key={s.id} data-subscription={s.template.name}>
              <td>{s.template.name}</td>
              <td className="mono">{Object.entries((s.parameters ?? {}) as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`).join(' ')}</td>
              <td className="mono">{s.webhookUrl ?? '–'}</td><td>{s.abortsReleases ? 'yes' : 'no'}</td><td>{s.createdBy.login}</td>
              {mayEdit && <td><button type="button" className="danger" onClick={() => void remove(s.id)}>Unsubscribe from {s.template.name}</button></td>}
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorText error={problem} />
      {mayEdit && <SubscribeForm environmentId={environmentId} templates={data.alertTemplates} onSubscribed={reload} />}
    </section>
  );
}

type Template = { id: string; name: string; description?: string | null; severity: string; forSeconds: number; parameters: { name: string; description?: string | null; default?: string | null; type: string }[] };

function SubscribeForm({ environmentId, templates, onSubscribed }: { environmentId: string; templates: Template[]; onSubscribed: () => void }) {
  const [templateId, setTemplateId] = useState(templates[0]?.id ?? '');
  const [state, subscribe] = useMutation(Subscribe);
  const template = templates.find((t) => t.id === templateId);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!template) return;
    const form = new FormData(event.currentTarget);
    const parameters = Object.fromEntries(
      template.parameters.map((p) => [p.name, String(form.get(`param:${p.name}`) ?? '').trim()] as const).filter(([, v]) => v !== ''),
    );
    const webhookUrl = String(form.get('webhookUrl') ?? '').trim();
    const result = await subscribe({
      input: { templateId: template.id, environmentId, parameters, abortsReleases: form.get('abortsReleases') === 'on', ...(webhookUrl ? { webhookUrl } : {}) },
    });
    if (result.data) onSubscribed();
  };
  if (templates.length === 0) return <p className="muted">No alert templates: a platform admin creates them.</p>;
  return (
    <form className="inline" aria-labelledby="alert-subscribe" onSubmit={submit}>
      <h3 id="alert-subscribe" className="full">Subscribe to an alert</h3>
      <label>Template
        <select name="template" value={templateId} onChange={(e) => setTemplateId(e.target.value)}>
          {templates.map((t) => <option key={t.id} value={t.id}>{t.name} ({t.severity.toLowerCase()})</option>)}
        </select>
      </label>
      {template?.description && <p className="muted full">{template.description} Fires after {template.forSeconds} s.</p>}
      {template?.parameters.map((p) => (
        <label key={`${template.id}:${p.name}`} title={p.description ?? undefined}>
          {p.name} ({p.type === 'DURATION' ? 'duration, e.g. 5m' : 'number'}{p.default == null ? ', required' : ''})
          <input name={`param:${p.name}`} defaultValue={p.default ?? ''} required={p.default == null} className="mono" />
        </label>
      ))}
      <label>Webhook URL (optional) <input name="webhookUrl" type="url" maxLength={2000} className="mono" /></label>
      <label className="check"><input type="checkbox" name="abortsReleases" /> Abort a release in progress while firing</label>
      <button type="submit" disabled={state.fetching}>Subscribe</button>
      <ErrorText error={state.error} />
    </form>
  );
}
