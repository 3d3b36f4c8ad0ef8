import { useState } from 'react';
import { useMutation, useQuery, useSubscription, type CombinedError } from 'urql';
import { mayBuild, mayRelease } from '../access.ts';
import { BuildOutput, BuildStages, ReleaseBuildForm } from '../components/build-live.tsx';
import { ErrorText, Loading, Page, Status, Time } from '../components/ui.tsx';
import { graphql } from '../gql/index.ts';
import type { BuildProgressSubscription } from '../gql/graphql.ts';
import { Link, paths } from '../router.tsx';

export const BuildFields = graphql(`
  fragment BuildFields on Build {
    id number status statusMessage trigger ref commit createdAt startedAt finishedAt createdBy { id login }
    stages { name status cacheKey cacheHit startedAt finishedAt }
    artifacts { kind name reference digest }
  }
`);
const BuildQuery = graphql(`
  query BuildPage($id: ID!, $slug: String!) {
    viewer { id isAdmin }
    project(slug: $slug) { id name viewerRole }
    build(id: $id) { ...BuildFields app { id name environments { id name protected } } }
  }
`);
const BuildProgress = graphql(`
  subscription BuildProgress($id: ID!, $after: String) {
    buildProgress(buildId: $id, after: $after) { cursor sequence at type stage message build { ...BuildFields } }
  }
`);
const CancelBuild = graphql(`mutation CancelBuild($id: ID!) { cancelBuild(id: $id) { id status } }`);

type BuildEvent = BuildProgressSubscription['buildProgress'];
const FINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELED']);

/**
 * One build: its stages live from `buildProgress` (replayed from the first event, then streamed),
 * its output live from `buildLogs`, its artifacts, and "release this build" once it succeeded.
 */
export function BuildPage({ slug, app: appName, buildId }: { slug: string; app: string; buildId: string }) {
  const [{ data, error, fetching }] = useQuery({ query: BuildQuery, variables: { id: buildId, slug } });
  const [{ data: events, error: streamError }] = useSubscription(
    { query: BuildProgress, variables: { id: buildId, after: null } },
    (previous: BuildEvent[] = [], event) => [...previous.slice(-499), event.buildProgress],
  );
  const [, cancel] = useMutation(CancelBuild);
  const [problem, setProblem] = useState<CombinedError | null>(null);
  const stored = data?.build;
  const build = events?.at(-1)?.build ?? stored;
  if (!stored || !build || !data) {
    return <Page title="Build">{fetching ? <Loading what="the build" /> : <ErrorText error={error ?? 'No such build.'} />}</Page>;
  }
  const viewer = { isAdmin: data.viewer.isAdmin, role: data.project?.viewerRole };
  const environments = stored.app.environments.filter((e) => mayRelease(viewer, e.protected));
  const running = !FINAL.has(build.status);
  return (
    <Page title={`${appName} build ${build.number}`} heading={<>{appName} build {build.number} <Status value={build.status} /></>}>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">Projects</Link> / <Link to={paths.project(slug)}>{data.project?.name}</Link> / <Link to={paths.app(slug, appName)}>{appName}</Link>
      </nav>
      <p className="muted">
        {build.ref}{build.commit ? ` at ${build.commit.slice(0, 12)}` : ''} · {build.trigger === 'PUSH' ? 'pushed' : `by ${build.createdBy?.login ?? 'someone'}`}
        {' · '}queued <Time at={build.createdAt} /> · finished <Time at={build.finishedAt} />
      </p>
      {build.statusMessage && <p className={build.status === 'FAILED' ? 'error' : ''}>{build.statusMessage}</p>}
      {running && mayBuild(viewer) && (
        <div className="commands">
          <button type="button" className="danger" onClick={() => void cancel({ id: build.id }).then((r) => setProblem(r.error ?? null))}>Cancel build</button>
        </div>
      )}
      <ErrorText error={problem} />
      {streamError && <p role="alert" className="error">The live view stopped: {streamError.message}</p>}
      <BuildStages build={build} events={events ?? []} />
      {build.artifacts.length > 0 && (
        <section aria-labelledby="artifacts">
          <h2 id="artifacts">Artifacts</h2>
          <ul>
            {build.artifacts.map((a) => <li key={a.name}>{a.kind.toLowerCase()} <strong>{a.name}</strong>: <span className="mono">{a.reference}</span></li>)}
          </ul>
        </section>
      )}
      {build.status === 'SUCCEEDED' && build.artifacts.some((a) => a.kind === 'IMAGE') && environments.length > 0 && (
        <ReleaseBuildForm buildId={build.id} number={build.number} slug={slug} app={appName} environments={environments} />
      )}
      <BuildOutput buildId={build.id} />
    </Page>
  );
}
