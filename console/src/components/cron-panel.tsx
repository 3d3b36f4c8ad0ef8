import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery, type CombinedError } from 'urql';
import { graphql } from '../gql/index.ts';
import type { ConcurrencyPolicy, CronJobFieldsFragment } from '../gql/graphql.ts';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { LogLines } from './log-lines.tsx';
import { ErrorText, Loading, Status, Time } from './ui.tsx';

export const CronJobFields = graphql(`
  fragment CronJobFields on CronJob {
    id name schedule timeZone command image suspended concurrencyPolicy lastScheduleAt nextRunAt
    runs(first: 5) { totalCount nodes { id status manual startedAt finishedAt } }
  }
`);
const EnvironmentCronJobs = graphql(`
  query EnvironmentCronJobs($id: ID!) { node(id: $id) { ... on Environment { id cronJobs { ...CronJobFields } } } }
`);
const CreateCronJob = graphql(`mutation CreateCronJob($input: CreateCronJobInput!) { createCronJob(input: $input) { id } }`);
const UpdateCronJob = graphql(`mutation UpdateCronJob($input: UpdateCronJobInput!) { updateCronJob(input: $input) { id suspended } }`);
const TriggerCronJob = graphql(`mutation TriggerCronJob($id: ID!) { triggerCronJob(id: $id) { id status } }`);
const DeleteCronJob = graphql(`mutation DeleteCronJob($id: ID!) { deleteCronJob(id: $id) }`);
const CronRunLog = graphql(`
  query CronRunLog($id: ID!) { node(id: $id) { ... on CronJobRun { id log(first: 500) { nodes { ...LogLineFields } } } } }
`);

/** The API has no stream of cron runs: the list is read again this often while it is shown. */
const REFRESH_MS = 3_000;

/** The environment's cron jobs with their latest runs (and each run's output), and a form for a new one. */
export function CronPanel({ environmentId, mayEdit }: { environmentId: string; mayEdit: boolean }) {
  const [{ data, error, fetching }, refetch] = useQuery({ query: EnvironmentCronJobs, variables: { id: environmentId } });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const jobs = data?.node && 'cronJobs' in data.node ? data.node.cronJobs : null;
  return (
    <section aria-labelledby="cron" className="panel">
      <h2 id="cron">Cron jobs</h2>
      {!jobs ? (fetching ? <Loading what="the cron jobs" /> : <ErrorText error={error} />) : jobs.length === 0 && <p>No cron jobs yet.</p>}
      {jobs?.map((job) => <CronJobView key={job.id} job={job} mayEdit={mayEdit} onChanged={reload} />)}
      {mayEdit && <NewCronJob environmentId={environmentId} onCreated={reload} />}
    </section>
  );
}

function CronJobView({ job, mayEdit, onChanged }: { job: CronJobFieldsFragment; mayEdit: boolean; onChanged: () => void }) {
  const [, trigger] = useMutation(TriggerCronJob);
  const [, update] = useMutation(UpdateCronJob);
  const [, remove] = useMutation(DeleteCronJob);
  const [error, setError] = useState<CombinedError | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [shown, setShown] = useState<string | null>(null);
  const act = async (run: () => Promise<{ error?: CombinedError | undefined }>) => {
    const result = await run();
    setError(result.error ?? null);
    if (!result.error) onChanged();
  };
  const headingId = `cron-${job.id}`;
  return (
    <article aria-labelledby={headingId} className="cron-job" data-cron-job={job.name}>
      <h3 id={headingId}>{job.name} {job.suspended && <Status value="SUSPENDED" />}</h3>
      <p className="muted">
        <span className="mono">{job.schedule}</span> ({job.timeZone}) · <span className="mono">{job.command.join(' ')}</span>
        {' · '}{job.image ?? 'the release image'} · {job.concurrencyPolicy.toLowerCase()} · next run <Time at={job.nextRunAt} />
      </p>
      {mayEdit && (
        <div className="commands" role="group" aria-label={`Commands of ${job.name}`}>
          <button type="button" onClick={() => void act(() => trigger({ id: job.id }))}>Run {job.name} now</button>
          <button type="button" onClick={() => void act(() => update({ input: { id: job.id, suspended: !job.suspended } }))}>
            {job.suspended ? 'Resume' : 'Suspend'} {job.name}
          </button>
          <button type="button" className="danger" onClick={() => setDeleting(true)}>Delete {job.name}</button>
          <ConfirmDialog
            open={deleting}
            title={`Delete the cron job ${job.name}, its CronJob and its runs?`}
            confirmLabel="Delete"
            onConfirm={() => {
              setDeleting(false);
              void act(() => remove({ id: job.id }));
            }}
            onCancel={() => setDeleting(false)}
          />
        </div>
      )}
      <ErrorText error={error} />
      <table>
        <caption className="muted">Latest runs ({job.runs.totalCount} in all)</caption>
        <thead><tr><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Finished</th><th scope="col">How</th><th scope="col">Output</th></tr></thead>
        <tbody>
          {job.runs.nodes.length === 0 && <tr><td colSpan={5} className="muted">No runs yet.</td></tr>}
          {job.runs.nodes.map((run) => (
            <tr key={run.id} data-run={run.id}>
              <td><Status value={run.status} /></td><td><Time at={run.startedAt} /></td><td><Time at={run.finishedAt} /></td>
              <td>{run.manual ? 'run now' : 'schedule'}</td>
              <td>
                <button type="button" aria-expanded={shown === run.id} onClick={() => setShown(shown === run.id ? null : run.id)}>
                  {shown === run.id ? 'Hide output' : 'Show output'}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown && <RunLog runId={shown} />}
    </article>
  );
}

function RunLog({ runId }: { runId: string }) {
  const [{ data, error }] = useQuery({ query: CronRunLog, variables: { id: runId }, requestPolicy: 'network-only' });
  const lines = data?.node && 'log' in data.node ? data.node.log.nodes : null;
  if (!lines) return error ? <ErrorText error={error} /> : <Loading what="the run's output" />;
  return <LogLines lines={lines} label="Output of the run" showVersion={false} />;
}

function NewCronJob({ environmentId, onCreated }: { environmentId: string; onCreated: () => void }) {
  const [state, create] = useMutation(CreateCronJob);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const result = await create({
      input: {
        environmentId,
        name: text('name'),
        schedule: text('schedule'),
        command: text('command').split(/\s+/).filter(Boolean),
        ...(text('timeZone') ? { timeZone: text('timeZone') } : {}),
        ...(text('image') ? { image: text('image') } : {}),
        concurrencyPolicy: text('concurrency') as ConcurrencyPolicy,
      },
    });
    if (result.data) {
      formElement.reset();
      onCreated();
    }
  };
  return (
    <form className="inline" aria-labelledby="new-cron" onSubmit={submit}>
      <h3 id="new-cron" className="full">New cron job</h3>
      <label>Job name <input name="name" required maxLength={52} pattern="[a-z0-9]([a-z0-9\-]*[a-z0-9])?" spellCheck={false} /></label>
      <label>Schedule <input name="schedule" required placeholder="*/5 * * * *" className="mono" spellCheck={false} /></label>
      <label>Time zone <input name="timeZone" placeholder="Etc/UTC" spellCheck={false} /></label>
      <label>Command (words separated by spaces) <input name="command" required className="mono" placeholder="report --daily" spellCheck={false} /></label>
      <label>Image (empty: the release image) <input name="image" className="mono" spellCheck={false} /></label>
      <label>When a run overlaps
        <select name="concurrency" defaultValue="ALLOW">
          <option value="ALLOW">run both</option>
          <option value="FORBID">skip the new run</option>
          <option value="REPLACE">replace the old run</option>
        </select>
      </label>
      <button type="submit" disabled={state.fetching}>Create cron job</button>
      <ErrorText error={state.error} />
    </form>
  );
}
