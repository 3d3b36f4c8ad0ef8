import { useState, type FormEvent } from 'react';
import { useMutation, type CombinedError } from 'urql';
import { graphql } from '../gql/index.ts';
import { navigate, paths } from '../router.tsx';
import { ErrorText } from './ui.tsx';

const SetBuildSpec = graphql(`mutation SetBuildSpec($appId: ID!, $spec: String!) { setBuildSpec(appId: $appId, spec: $spec) { id buildSpec } }`);
const CreateBuild = graphql(`mutation CreateBuild($input: CreateBuildInput!) { createBuild(input: $input) { id number } }`);

/** A spec refusal names the line and column (extensions.line/column) before the API's message. */
function specError(error: CombinedError): string | CombinedError {
  const ext = error.graphQLErrors[0]?.extensions as { line?: unknown; column?: unknown } | undefined;
  if (typeof ext?.line !== 'number') return error;
  return `The spec is not valid at line ${ext.line}${typeof ext.column === 'number' ? `, column ${ext.column}` : ''}: ${error.graphQLErrors[0]!.message}`;
}

/** The app's build spec (YAML), edited as text; until one is saved it is the language's template. */
export function BuildSpecEditor({ appId, spec, mayEdit }: { appId: string; spec: string; mayEdit: boolean }) {
  const [state, save] = useMutation(SetBuildSpec);
  const [problem, setProblem] = useState<string | CombinedError | null>(null);
  const [saved, setSaved] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const result = await save({ appId, spec: String(new FormData(event.currentTarget).get('spec') ?? '') });
    setProblem(result.error ? specError(result.error) : null);
    setSaved(!result.error);
  };
  return (
    <form className="editor" aria-labelledby="build-spec" onSubmit={submit}>
      <h3 id="build-spec">Build spec</h3>
      <label>Build spec (YAML)
        <textarea name="spec" className="mono" rows={14} defaultValue={spec} readOnly={!mayEdit} spellCheck={false} onChange={() => setSaved(false)} />
      </label>
      {mayEdit && (
        <div className="commands">
          <button type="submit" disabled={state.fetching}>Save build spec</button>
          {saved && <p role="status">Build spec saved.</p>}
        </div>
      )}
      <ErrorText error={problem} />
    </form>
  );
}

/** Starts a build of a branch, tag or commit (the default branch when empty) and opens it. */
export function NewBuildForm({ appId, slug, app }: { appId: string; slug: string; app: string }) {
  const [state, create] = useMutation(CreateBuild);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const ref = String(new FormData(event.currentTarget).get('ref') ?? '').trim();
    const result = await create({ input: { appId, ...(ref ? { ref } : {}) } });
    if (result.data) navigate(paths.build(slug, app, result.data.createBuild.id));
  };
  return (
    <form className="inline" aria-label="New build" onSubmit={submit}>
      <label>Branch, tag or commit <input name="ref" maxLength={255} placeholder="default branch" className="mono" spellCheck={false} /></label>
      <button type="submit" className="primary" disabled={state.fetching}>Start build</button>
      <ErrorText error={state.error} />
    </form>
  );
}
