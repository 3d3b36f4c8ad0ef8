import { useEffect } from 'react';
import { useSubscription } from 'urql';
import { graphql } from '../gql/index.ts';
import type { ReleaseLiveFragment, ReleaseProgressSubscription } from '../gql/graphql.ts';
import { ReleaseCommands } from './release-commands.tsx';
import { FINAL_STATUSES } from './release-fields.ts';
import { Status, Time } from './ui.tsx';

const ReleaseProgress = graphql(`
  subscription ReleaseProgress($id: ID!, $after: String) {
    releaseProgress(releaseId: $id, after: $after) {
      cursor sequence at type message stepIndex weight readyReplicas
      release { ...ReleaseLive }
    }
  }
`);

type ProgressEvent = ReleaseProgressSubscription['releaseProgress'];

/** Events kept on the page: a long rollout's pod changes would otherwise grow without bound. */
const MAX_EVENTS = 500;

/**
 * The release in progress, live from `releaseProgress` (replayed from its first event, then
 * streamed; after a reconnect it resumes from the last cursor): the steps as a progress bar,
 * declared / applied / observed weight, the event log, and the commands the viewer may use.
 */
export function ReleasePanel(props: {
  release: ReleaseLiveFragment;
  observedWeight: number | null | undefined;
  environment: string;
  isProtected: boolean;
  mayAct: boolean;
  /** Called once the release has ended (its final event arrived). */
  onFinished: () => void;
  /** Called on each weight the router confirmed (the observed weight is worth reading again). */
  onWeightApplied: () => void;
}) {
  const [{ data: events, error }] = useSubscription(
    { query: ReleaseProgress, variables: { id: props.release.id, after: null } },
    (previous: ProgressEvent[] = [], data) => [...previous.slice(-(MAX_EVENTS - 1)), data.releaseProgress],
  );
  const last = events?.[events.length - 1];
  const release = last?.release ?? props.release;
  const finished = FINAL_STATUSES.has(release.status);
  const { onFinished, onWeightApplied } = props;
  useEffect(() => {
    if (finished) onFinished();
  }, [finished, onFinished]);
  useEffect(() => {
    if (last?.type === 'WEIGHT_APPLIED') onWeightApplied();
  }, [last, onWeightApplied]);

  return (
    <section aria-labelledby="release-live" className="panel" data-release={release.id}>
      <h2 id="release-live">
        Release {release.version} <Status value={release.status} />
        {release.isRollback && <span className="role">rollback</span>}
      </h2>
      <p className="muted">
        {release.image} · {release.strategy.toLowerCase()} · by {release.createdBy.login} · <Time at={release.createdAt} />
      </p>
      {release.statusMessage && <p>{release.statusMessage}</p>}
      <Steps release={release} />
      <dl className="weights" aria-label="Canary weight">
        <div><dt>Declared</dt><dd data-testid="declared-weight">{release.declaredWeight}%</dd></div>
        <div><dt>Applied</dt><dd data-testid="applied-weight">{release.appliedWeight == null ? '–' : `${release.appliedWeight}%`}</dd></div>
        <div><dt>Observed</dt><dd data-testid="observed-weight">{props.observedWeight == null ? '–' : `${props.observedWeight}%`}</dd></div>
      </dl>
      {props.mayAct && <ReleaseCommands release={release} environment={props.environment} isProtected={props.isProtected} />}
      {error && <p role="alert" className="error">The live view stopped: {error.message}</p>}
      <h3 id="release-events">Events</h3>
      <div role="log" aria-labelledby="release-events" className="events" tabIndex={0}>
        <ol>
          {(events ?? []).map((event) => (
            <li key={event.sequence} data-sequence={event.sequence} data-at={event.at} data-type={event.type}>
              <Time at={event.at} /> <strong>{event.type.replace(/_/g, ' ').toLowerCase()}</strong> {event.message}
            </li>
          ))}
        </ol>
      </div>
    </section>
  );
}

/** The steps as one bar: each segment a step, filled once done, marked while current. */
function Steps({ release }: { release: ReleaseLiveFragment }) {
  if (release.steps.length === 0) return null;
  return (
    <div>
      <div
        className="bar"
        role="progressbar"
        aria-label="Traffic to the new version (declared)"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={release.declaredWeight}
        aria-valuetext={`${release.declaredWeight}% of traffic`}
      >
        <div className="fill" style={{ width: `${release.declaredWeight}%` }} />
      </div>
      <ol className="steps" aria-label="Steps">
        {release.steps.map((step) => (
          <li key={step.index} className={`step step-${step.status.toLowerCase()}`} aria-current={step.index === release.currentStepIndex ? 'step' : undefined}>
            <span className="weight">{step.weight}%</span> {step.status.replace(/_/g, ' ').toLowerCase()}
            {step.untilPromoted ? ' · until promoted' : step.pauseSeconds ? ` · ${step.pauseSeconds} s pause` : ''}
          </li>
        ))}
      </ol>
    </div>
  );
}
