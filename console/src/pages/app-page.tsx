import type { FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { mayBuild, mayManage } from '../access.ts';
import { BuildSpecEditor, NewBuildForm } from '../components/build-forms.tsx';
import { ErrorText, Loading, Page, Status, Time } from '../components/ui.tsx';
import { graphql } from '../gql/index.ts';
import { Link, navigate, paths } from '../router.tsx';

const AppQuery = graphql(`
  query AppPage($slug: String!, $app: String!) {
    viewer { id isAdmin }
    project(slug: $slug) {
      id name viewerRole
      app(name: $app) {
        id name language repoUrl description
        environments {
          id name namespace replicas protected
          cluster { name status }
          currentRelease { id version image }
          activeRelease { id version status }
        }
        buildSpec
        builds(first: 10) { totalCount nodes { id number status ref commit createdAt finishedAt createdBy { id login } } }
      }
    }
  }
`);

const CreateEnvironment = graphql(`
  mutation CreateEnvironment($input: CreateEnvironmentInput!) {
    createEnvironment(input: $input) { id name }
  }
`);

/** An app: its environments with what runs there, a form for a new one, its latest builds and its build spec. */
export function AppPage({ slug, app: name }: { slug: string; app: string }) {
  const [{ data, fetching, error }] = useQuery({ query: AppQuery, variables: { slug, app: name } });
  const app = data?.project?.app;
  if (!app) {
    return (
      <Page title={name}>
        {fetching ? <Loading what="the app" /> : error ? <ErrorText error={error} /> : <p>There is no app {name} in this project.</p>}
      </Page>
    );
  }
  const viewer = { isAdmin: data.viewer.isAdmin, role: data.project?.viewerRole };
  const manage = mayManage(viewer);
  const build = mayBuild(viewer);
  return (
    <Page title={app.name} heading={<>{app.name} <span className="muted">{app.language.toLowerCase()}</span></>}>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">Projects</Link> / <Link to={paths.project(slug)}>{data.project?.name}</Link>
      </nav>
      {app.description && <p>{app.description}</p>}
      <section aria-labelledby="environments">
        <h2 id="environments">Environments</h2>
        {app.environments.length === 0 && <p>No environments yet.</p>}
        <table>
          <thead>
            <tr><th scope="col">Environment</th><th scope="col">Cluster / namespace</th><th scope="col">Replicas</th><th scope="col">Serving</th><th scope="col">In progress</th></tr>
          </thead>
          <tbody>
            {app.environments.map((env) => (
              <tr key={env.id}>
                <td><Link to={paths.environment(slug, app.name, env.name)}>{env.name}</Link>{env.protected && <span className="role">protected</span>}</td>
                <td>{env.cluster.name} / {env.namespace}</td>
                <td>{env.replicas}</td>
                <td>{env.currentRelease ? env.currentRelease.version : '–'}</td>
                <td>{env.activeRelease ? <>{env.activeRelease.version} <Status value={env.activeRelease.status} /></> : '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {manage && <NewEnvironment appId={app.id} slug={slug} app={app.name} />}
      </section>
      <section aria-labelledby="builds">
        <h2 id="builds">Builds</h2>
        {build && <NewBuildForm appId={app.id} slug={slug} app={app.name} />}
        {app.builds.nodes.length === 0 ? <p>No builds yet.</p> : (
          <table>
            <thead><tr><th scope="col">#</th><th scope="col">Ref</th><th scope="col">Status</th><th scope="col">By</th><th scope="col">Started</th><th scope="col">Finished</th></tr></thead>
            <tbody>
              {app.builds.nodes.map((b) => (
                <tr key={b.id}>
                  <td><Link to={paths.build(slug, app.name, b.id)}>Build {b.number}</Link></td><td>{b.ref}{b.commit ? ` (${b.commit.slice(0, 8)})` : ''}</td><td><Status value={b.status} /></td>
                  <td>{b.createdBy?.login ?? 'push'}</td><td><Time at={b.createdAt} /></td><td><Time at={b.finishedAt} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <BuildSpecEditor key={app.id} appId={app.id} spec={app.buildSpec} mayEdit={build} />
      </section>
    </Page>
  );
}

function NewEnvironment({ appId, slug, app }: { appId: string; slug: string; app: string }) {
  const [state, create] = useMutation(CreateEnvironment);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const result = await create({
      input: { appId, name: String(form.get('name')), replicas: Number(form.get('replicas')), protected: form.get('protected') === 'on' },
    });
    if (result.data) navigate(paths.environment(slug, app, result.data.createEnvironment.name));
  };
  return (
    <form className="inline" onSubmit={submit} aria-label="New environment">
      <label>Environment name <input name="name" required maxLength={63} /></label>
      <label>Replicas <input name="replicas" type="number" min={0} max={1000} defaultValue={2} required /></label>
      <label className="check"><input name="protected" type="checkbox" /> Protected</label>
      <button type="submit" disabled={state.fetching}>Create environment</button>
      <ErrorText error={state.error} />
    </form>
  );
}
