import type { FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { mayManage } from '../access.ts';
import { ErrorText, Loading, Page, Time } from '../components/ui.tsx';
import { graphql } from '../gql/index.ts';
import type { Role } from '../gql/graphql.ts';
import { Link, navigate, paths } from '../router.tsx';

const ProjectQuery = graphql(`
  query Project($slug: String!) {
    viewer { id isAdmin }
    project(slug: $slug) {
      id slug name viewerRole
      members { role user { id login name } }
      apps(first: 100) { nodes { id name language description environments { id name protected } } }
    }
  }
`);

const AuditQuery = graphql(`
  query ProjectAudit($slug: String!) {
    project(slug: $slug) {
      id
      auditLog(first: 20) { totalCount nodes { id at action targetType actor { id login } } }
    }
  }
`);

const CreateApp = graphql(`
  mutation CreateApp($input: CreateAppInput!) {
    createApp(input: $input) { id name }
  }
`);

const AddMember = graphql(`
  mutation AddMember($input: AddProjectMemberInput!) {
    addProjectMember(input: $input) { role user { id login } }
  }
`);

const LANGUAGES = ['JAVA', 'GO', 'PHP', 'PYTHON', 'NODE', 'OTHER'] as const;
const ROLES: Role[] = ['VIEWER', 'DEVELOPER', 'MAINTAINER', 'OWNER'];

/** A project: its apps, its members with their roles, and (for maintainers) its audit log. */
export function ProjectPage({ slug }: { slug: string }) {
  const [{ data, fetching, error }] = useQuery({ query: ProjectQuery, variables: { slug } });
  const project = data?.project;
  const manage = !!data && mayManage({ isAdmin: data.viewer.isAdmin, role: project?.viewerRole });
  if (!project) return <Page title={slug}>{fetching ? <Loading what="the project" /> : <ErrorText error={error} />}</Page>;
  return (
    <Page title={project.name} heading={<>{project.name} <span className="muted">{project.slug}</span></>}>
      <nav aria-label="Breadcrumb" className="crumbs"><Link to="/">Projects</Link></nav>
      <section aria-labelledby="apps">
        <h2 id="apps">Apps</h2>
        {project.apps.nodes.length === 0 && <p>No apps yet.</p>}
        <ul className="cards" aria-label="Apps">
          {project.apps.nodes.map((app) => (
            <li key={app.id}>
              <Link to={paths.app(slug, app.name)}>{app.name}</Link> <span className="muted">{app.language.toLowerCase()}</span>
              {app.environments.length > 0 && (
                <span className="envs">
                  {app.environments.map((env) => (
                    <Link key={env.id} to={paths.environment(slug, app.name, env.name)}>{env.name}{env.protected ? ' (protected)' : ''}</Link>
                  ))}
                </span>
              )}
            </li>
          ))}
        </ul>
        {manage && <NewApp projectId={project.id} slug={slug} />}
      </section>
      <section aria-labelledby="members">
        <h2 id="members">Members</h2>
        <table>
          <thead><tr><th scope="col">Login</th><th scope="col">Name</th><th scope="col">Role</th></tr></thead>
          <tbody>
            {project.members.map((m) => (
              <tr key={m.user.id}><td>{m.user.login}</td><td>{m.user.name ?? ''}</td><td>{m.role.toLowerCase()}</td></tr>
            ))}
          </tbody>
        </table>
        {manage && <AddMemberForm projectId={project.id} />}
      </section>
      {manage && <AuditLog slug={slug} />}
    </Page>
  );
}

function NewApp({ projectId, slug }: { projectId: string; slug: string }) {
  const [state, createApp] = useMutation(CreateApp);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const language = String(form.get('language')) as (typeof LANGUAGES)[number];
    const result = await createApp({ input: { projectId, name: String(form.get('name')), language } });
    if (result.data) navigate(paths.app(slug, result.data.createApp.name));
  };
  return (
    <form className="inline" onSubmit={submit} aria-label="New app">
      <label>App name <input name="name" required maxLength={63} /></label>
      <label>Language
        <select name="language" defaultValue="OTHER">{LANGUAGES.map((l) => <option key={l} value={l}>{l.toLowerCase()}</option>)}</select>
      </label>
      <button type="submit" disabled={state.fetching}>Create app</button>
      <ErrorText error={state.error} />
    </form>
  );
}

function AddMemberForm({ projectId }: { projectId: string }) {
  const [state, addMember] = useMutation(AddMember);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const result = await addMember({ input: { projectId, login: String(form.get('login')), role: String(form.get('role')) as Role } });
    if (result.data) event.currentTarget?.reset();
  };
  return (
    <form className="inline" onSubmit={submit} aria-label="Add or change a member">
      <label>Login <input name="login" required maxLength={63} /></label>
      <label>Role
        <select name="role" defaultValue="DEVELOPER">{ROLES.map((r) => <option key={r} value={r}>{r.toLowerCase()}</option>)}</select>
      </label>
      <button type="submit" disabled={state.fetching}>Add member</button>
      <ErrorText error={state.error} />
    </form>
  );
}

function AuditLog({ slug }: { slug: string }) {
  const [{ data, error }] = useQuery({ query: AuditQuery, variables: { slug } });
  const log = data?.project?.auditLog;
  return (
    <section aria-labelledby="audit">
      <h2 id="audit">Audit log</h2>
      <ErrorText error={error} />
      {log && (
        <table>
          <caption className="muted">The {log.nodes.length} newest of {log.totalCount} changes</caption>
          <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">On</th></tr></thead>
          <tbody>
            {log.nodes.map((entry) => (
              <tr key={entry.id}><td><Time at={entry.at} /></td><td>{entry.actor?.login ?? '(deleted user)'}</td><td>{entry.action}</td><td>{entry.targetType}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
