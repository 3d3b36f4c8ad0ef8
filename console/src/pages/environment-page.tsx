import { lazy, Suspense, useCallback } from 'react';
import { useQuery } from 'urql';
import { mayRelease } from '../access.ts';
import { NewReleaseForm } from '../components/new-release-form.tsx';
import { ReleaseHistory } from '../components/release-history.tsx';
import { ReleasePanel } from '../components/release-panel.tsx';
import { ErrorText, Loading, Page } from '../components/ui.tsx';
import { AlertsPanel } from '../components/alerts-panel.tsx';
import { ConfigPanel } from '../components/config-panel.tsx';
import { CronPanel } from '../components/cron-panel.tsx';
import { LogsPanel, type Track } from '../components/logs-panel.tsx';
import { VmsPanel } from '../components/vms-panel.tsx';
import { WorkloadPanel } from '../components/workload-panel.tsx';
import { graphql } from '../gql/index.ts';
import { ENVIRONMENT_PANELS, Link, paths, type EnvironmentPanel } from '../router.tsx';

// The charts (uPlot) load only when the metrics panel opens: the page's first load stays small.
const MetricsPanel = lazy(() => import('../components/metrics-panel.tsx'));

const PANEL_NAMES: Record<EnvironmentPanel, string> = {
  overview: 'Release and workload', logs: 'Logs', metrics: 'Metrics', config: 'Configuration', cron: 'Cron jobs', alerts: 'Alerts', vms: 'VM hosts',
};

const EnvironmentQuery = graphql(`
  query EnvironmentPage($slug: String!, $app: String!, $environment: String!) {
    project(slug: $slug) {
      id name viewerRole
      app(name: $app) {
        id name
        environment(name: $environment) {
          id name namespace replicas protected router
          cluster { name status }
          currentRelease { id version image }
          activeRelease { ...ReleaseLive observedWeight }
          releases(first: 20) {
            totalCount
            nodes { id version image strategy status statusMessage isRollback createdAt finishedAt createdBy { id login } }
          }
          workload { ...WorkloadFields }
        }
      }
    }
  }
`);

/**
 * An environment, one panel at a time (each its own path, so deep links and reloads keep it):
 * the overview (live workload, the release in progress with its commands, a form for a new
 * release when none runs, and the release history), logs, metrics, config, cron jobs, alerts and VM hosts.
 */
export function EnvironmentPage(props: { slug: string; app: string; environment: string; panel: EnvironmentPanel; isAdmin: boolean }) {
  const { slug, app, environment, panel, isAdmin } = props;
  const [{ data, fetching, error }, refetch] = useQuery({ query: EnvironmentQuery, variables: { slug, app, environment } });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const env = data?.project?.app?.environment;
  if (!env) {
    return (
      <Page title={environment}>
        {fetching ? <Loading what="the environment" /> : error ? <ErrorText error={error} /> : <p>There is no environment {environment} in {app}.</p>}
      </Page>
    );
  }
  const mayAct = mayRelease({ isAdmin, role: data.project?.viewerRole }, env.protected);
  const active = env.activeRelease;
  return (
    <Page title={`${app} ${env.name}${panel === 'overview' ? '' : ` ${PANEL_NAMES[panel].toLowerCase()}`}`} heading={<>{app} / {env.name}{env.protected && <span className="role">protected</span>}</>}>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">Projects</Link> / <Link to={paths.project(slug)}>{data.project?.name}</Link> / <Link to={paths.app(slug, app)}>{app}</Link>
      </nav>
      <p className="muted">
        {env.cluster.name} ({env.cluster.status.toLowerCase()}) · namespace {env.namespace} · {env.replicas} replicas · {env.router === 'ISTIO' ? 'Istio' : 'Gateway API'} routing
        {env.currentRelease && <> · serving {env.currentRelease.version}</>}
      </p>
      <nav aria-label="Environment panels" className="tabs">
        {ENVIRONMENT_PANELS.map((p) => (
          <Link key={p} to={paths.environment(slug, app, env.name, p)} aria-current={p === panel ? 'page' : undefined}>{PANEL_NAMES[p]}</Link>
        ))}
      </nav>
      {!mayAct && <p className="hint">Your role lets you watch this environment; releasing here takes {env.protected ? 'MAINTAINER' : 'DEVELOPER'} or above.</p>}
      {panel === 'overview' && (
        <>
          {active ? (
            <ReleasePanel
              key={active.id}
              release={active}
              observedWeight={active.observedWeight}
              environment={env.name}
              isProtected={env.protected}
              mayAct={mayAct}
              onFinished={reload}
              onWeightApplied={reload}
            />
          ) : (
            mayAct && <NewReleaseForm environmentId={env.id} onCreated={reload} />
          )}
          <WorkloadPanel environmentId={env.id} initial={env.workload} onVersionsChanged={reload} />
          <ReleaseHistory
            environmentId={env.id}
            environment={env.name}
            isProtected={env.protected}
            releases={env.releases.nodes}
            currentReleaseId={env.currentRelease?.id ?? null}
            mayAct={mayAct}
            onRolledBack={reload}
          />
        </>
      )}
      {panel === 'logs' && <LogsPanel environmentId={env.id} pods={env.workload.pods.map((p) => p.name)} tracks={tracks(env.currentRelease, active)} />}
      {panel === 'metrics' && (
        <Suspense fallback={<p className="loading">Loading the charts…</p>}>
          <MetricsPanel environmentId={env.id} versions={{ stable: env.currentRelease?.version ?? null, canary: active?.version ?? null }} />
        </Suspense>
      )}
      {panel === 'config' && <ConfigPanel environmentId={env.id} mayEdit={mayAct} />}
      {panel === 'cron' && <CronPanel environmentId={env.id} mayEdit={mayAct} />}
      {panel === 'alerts' && data.project && <AlertsPanel projectId={data.project.id} environmentId={env.id} mayEdit={mayAct} />}
      {panel === 'vms' && <VmsPanel environmentId={env.id} />}
    </Page>
  );
}

/** The versions a log reader can pick: the stable one and the canary track of the release in progress. */
function tracks(current: { id: string; version: string } | null | undefined, active: { id: string; version: string } | null | undefined): Track[] {
  return [
    ...(current ? [{ id: current.id, version: current.version, role: 'stable' as const }] : []),
    ...(active && active.id !== current?.id ? [{ id: active.id, version: active.version, role: 'canary' as const }] : []),
  ];
}
