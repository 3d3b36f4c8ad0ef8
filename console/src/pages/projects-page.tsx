import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { ErrorText, Loading, Page } from '../components/ui.tsx';
import { graphql } from '../gql/index.ts';
import { Link, navigate, paths } from '../router.tsx';

const ProjectsQuery = graphql(`
  query Projects {
    projects(first: 100) { totalCount nodes { id slug name viewerRole } }
  }
`);

const CreateProject = graphql(`
  mutation CreateProject($input: CreateProjectInput!) {
    createProject(input: $input) { id slug }
  }
`);

/** The viewer's projects, and a form to create one (anyone may; the creator becomes OWNER). */
export function ProjectsPage() {
  const [{ data, fetching, error }] = useQuery({ query: ProjectsQuery });
  const [created, createProject] = useMutation(CreateProject);
  const [formError, setFormError] = useState<string | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setFormError(null);
    const result = await createProject({ input: { slug: String(form.get('slug')), name: String(form.get('name')) } });
    if (result.data) navigate(paths.project(result.data.createProject.slug));
  };

  return (
    <Page title="Projects">
      {fetching && !data && <Loading what="projects" />}
      <ErrorText error={error} />
      {data && (
        data.projects.nodes.length === 0 ? <p>You are not a member of any project yet.</p> : (
          <ul className="cards" aria-label="Projects">
            {data.projects.nodes.map((p) => (
              <li key={p.id}>
                <Link to={paths.project(p.slug)}>{p.name}</Link> <span className="muted">{p.slug}</span>
                {p.viewerRole && <span className="role">{p.viewerRole.toLowerCase()}</span>}
              </li>
            ))}
          </ul>
        )
      )}
      <section aria-labelledby="new-project">
        <h2 id="new-project">New project</h2>
        <form className="inline" onSubmit={submit}>
          <label>Slug <input name="slug" required pattern="[a-z0-9]([-a-z0-9]*[a-z0-9])?" maxLength={63} /></label>
          <label>Name <input name="name" required maxLength={200} /></label>
          <button type="submit" disabled={created.fetching}>Create project</button>
        </form>
        <ErrorText error={formError ?? created.error} />
      </section>
    </Page>
  );
}
