import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, type CombinedError } from 'urql';
import { errorCode } from '../api/errors.ts';
import { graphql } from '../gql/index.ts';
import type { ConfigRevisionFieldsFragment } from '../gql/graphql.ts';
import { formatVariables, parseVariables, variableChanges } from './config-text.ts';
import { ErrorText } from './ui.tsx';

const UpdateConfig = graphql(`
  mutation UpdateConfig($input: UpdateConfigInput!) { updateConfig(input: $input) { id number } }
`);
const SetSecret = graphql(`
  mutation SetSecret($input: SetSecretInput!) { setSecret(input: $input) { name updatedAt } }
`);
const DeleteSecret = graphql(`
  mutation DeleteSecret($environmentId: ID!, $name: String!) { deleteSecret(environmentId: $environmentId, name: $name) }
`);

/** A refusal in words; CONFLICT here means another revision was saved first (compare-and-set). */
function saveError(error: CombinedError): string | CombinedError {
  return errorCode(error) === 'CONFLICT'
    ? 'Someone saved a newer revision first: it is shown above now. Make your change again on top of it.'
    : error;
}

const sameContent = (a: ConfigRevisionFieldsFragment, b: ConfigRevisionFieldsFragment) =>
  JSON.stringify([a.variables, a.files]) === JSON.stringify([b.variables, b.files]);

/**
 * Edits variables and files of the revision it was opened on into one new revision,
 * compare-and-set on its number: when someone else's revision lands meanwhile (it arrives live),
 * the edits stay, the editor says so, and a save is refused rather than overwrite theirs.
 */
export function ConfigEditor({ environmentId, latest, onSaved }: { environmentId: string; latest: ConfigRevisionFieldsFragment; onSaved: () => void }) {
  const [state, update] = useMutation(UpdateConfig);
  const [problem, setProblem] = useState<string | CombinedError | null>(null);
  const [revision, setRevision] = useState(latest);
  // Our own save: continue from the revision it made once it is on the page.
  const [saved, setSaved] = useState<number | null>(null);
  // Bumped to empty the form's fields (uncontrolled) when it starts from another revision.
  const [formKey, setFormKey] = useState(0);
  useEffect(() => {
    if (saved !== null && latest.number >= saved) {
      setRevision(latest);
      setSaved(null);
      setFormKey((k) => k + 1);
    } else if (saved === null && latest.number !== revision.number && sameContent(latest, revision)) {
      // Only secrets changed (a revision too): nothing here to conflict with, the edits go on top.
      setRevision(latest);
    }
  }, [latest, saved, revision]);
  const startOver = () => {
    setRevision(latest);
    setProblem(null);
    setFormKey((k) => k + 1);
  };
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const parsed = parseVariables(String(form.get('variables') ?? ''));
    if ('problem' in parsed) return setProblem(`Variables, line ${parsed.line}: ${parsed.problem}.`);
    const { set, unset } = variableChanges(revision.variables, parsed.variables);
    const files = revision.files
      .filter((f) => form.get(`file:${f.path}`) !== null && form.get(`file:${f.path}`) !== f.content && form.get(`remove:${f.path}`) !== 'on')
      .map((f) => ({ path: f.path, content: String(form.get(`file:${f.path}`)) }));
    const removeFiles = revision.files.filter((f) => form.get(`remove:${f.path}`) === 'on').map((f) => f.path);
    const newPath = String(form.get('newPath') ?? '').trim();
    if (newPath) files.push({ path: newPath, content: String(form.get('newContent') ?? '') });
    if (!set.length && !unset.length && !files.length && !removeFiles.length) return setProblem('Nothing changed.');
    const message = String(form.get('message') ?? '').trim();
    setProblem(null);
    const result = await update({
      input: { environmentId, expectedRevision: revision.number, set, unset, files, removeFiles, ...(message ? { message } : {}) },
    });
    if (result.error) return setProblem(saveError(result.error));
    if (result.data) setSaved(result.data.updateConfig.number);
    onSaved();
  };
  return (
    <form key={formKey} className="editor" aria-labelledby="config-edit" onSubmit={submit}>
      <h3 id="config-edit">Change variables and files <span className="muted">(from revision {revision.number})</span></h3>
      {latest.number !== revision.number && saved === null && (
        <div className="hint" role="status">
          Revision {latest.number} was saved since you began (shown above): saving these changes would be refused.{' '}
          <button type="button" onClick={startOver}>Start over from revision {latest.number}</button>
        </div>
      )}
      <label>Variables (one NAME=value a line)
        <textarea name="variables" className="mono" rows={Math.min(16, revision.variables.length + 3)} defaultValue={formatVariables(revision.variables)} spellCheck={false} />
      </label>
      {revision.files.map((f) => (
        <fieldset key={f.path}>
          <legend className="mono">{f.path}</legend>
          <label>Content of {f.path} <textarea name={`file:${f.path}`} className="mono" rows={6} defaultValue={f.content} spellCheck={false} /></label>
          <label className="check"><input type="checkbox" name={`remove:${f.path}`} /> Remove {f.path}</label>
        </fieldset>
      ))}
      <fieldset>
        <legend>New file</legend>
        <label>Path under /etc/gantry/config/ <input name="newPath" className="mono" maxLength={253} placeholder="app/settings.yaml" spellCheck={false} /></label>
        <label>Content <textarea name="newContent" className="mono" rows={4} spellCheck={false} /></label>
      </fieldset>
      <label>Why (recorded with the revision) <input name="message" maxLength={500} /></label>
      <div className="commands">
        <button type="submit" className="primary" disabled={state.fetching}>Save revision {revision.number + 1}</button>
      </div>
      <ErrorText error={problem} />
    </form>
  );
}

/**
 * Secrets are write-only: a value is typed, sent once and the field emptied; nothing ever fills
 * it in (the API never returns a value), and the page shows only names and when they changed.
 */
export function SecretsEditor({ environmentId, secrets, onSaved }: { environmentId: string; secrets: readonly { name: string }[]; onSaved: () => void }) {
  const [state, setSecret] = useMutation(SetSecret);
  const [, deleteSecret] = useMutation(DeleteSecret);
  const [problem, setProblem] = useState<CombinedError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const name = String(form.get('name') ?? '').trim();
    const result = await setSecret({ input: { environmentId, name, value: String(form.get('value') ?? '') } });
    // Emptied whatever the answer: the value stays in the page no longer than the request.
    formElement.reset();
    setProblem(result.error ?? null);
    setDone(result.error ? null : `Secret ${name} saved.`);
    if (!result.error) onSaved();
  };
  const remove = async (name: string) => {
    const result = await deleteSecret({ environmentId, name });
    setProblem(result.error ?? null);
    setDone(result.error ? null : `Secret ${name} deleted.`);
    if (!result.error) onSaved();
  };
  return (
    <section aria-labelledby="secrets-edit">
      <h3 id="secrets-edit">Secrets</h3>
      <form className="inline" aria-label="Set a secret" onSubmit={submit} autoComplete="off">
        <label>Secret name <input name="name" required maxLength={253} pattern="[A-Za-z_][A-Za-z0-9_]*" className="mono" spellCheck={false} /></label>
        <label>Secret value <input name="value" type="password" required autoComplete="new-password" /></label>
        <button type="submit" disabled={state.fetching}>Set secret</button>
      </form>
      {secrets.length > 0 && (
        <div className="commands" role="group" aria-label="Delete a secret">
          {secrets.map((s) => <button key={s.name} type="button" className="danger" onClick={() => void remove(s.name)}>Delete secret {s.name}</button>)}
        </div>
      )}
      <ErrorText error={problem} />
      {done && <p role="status">{done}</p>}
    </section>
  );
}
