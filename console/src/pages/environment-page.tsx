import { useCallback } from 'react';
import { useQuery } from 'urql';
import { mayRelease } from '../access.ts';
import { NewReleaseForm } from '../components/new-release-form.tsx';
import { ReleaseHistory } from '../components/release-history.tsx';
import { ReleasePanel } from '../components/release-panel.tsx';
import { ErrorText, Loading, Page } from '../components/ui.tsx';
import { WorkloadPanel } from '../components/workload-panel.tsx';
import { graphql } from '../gql/index.ts';
import { Link, paths } from '../router.tsx';

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
 * An environment: the live workload, the release in progress (live, with its commands), a form
 * for a new release when none runs, and the release history.
 */
export function EnvironmentPage({ slug, app, environment, isAdmin }: { slug: string; app: string; environment: string; isAdmin: boolean }) {
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
    <Page title={`${app} ${env.name}`} heading={<>{app} / {env.name}{env.protected && <span className="role">protected</span>}</>}>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">Projects</Link> / <Link to={paths.project(slug)}>{data.project?.name}</Link> / <Link to={paths.app(slug, app)}>{app}</Link>
      </nav>
      <p className="muted">
        {env.cluster.name} ({env.cluster.status.toLowerCase()}) · namespace {env.namespace} · {env.replicas} replicas · {env.router === 'ISTIO' ? 'Istio' : 'Gateway API'} routing
        {env.currentRelease && <> · serving {env.currentRelease.version}</>}
      </p>
      {!mayAct && <p className="hint">Your role lets you watch this environment; releasing here takes {env.protected ? 'MAINTAINER' : 'DEVELOPER'} or above.</p>}
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
    </Page>
  );
}
