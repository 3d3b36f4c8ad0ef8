/**
 * The GraphQL enums that are stored in text columns, as runtime lists. The SDL
 * (schema/*.graphql) is the one source: each type is codegen's string union from
 * resolvers/types.generated.ts, and each list here must name exactly its values, so adding a
 * value to the SDL fails `npm run typecheck` until it is added here too. Columns declare them
 * with `text({ enum })`, which types the column without changing its SQL (no migration).
 * Not exported from index.ts: drizzle-kit reads tables only.
 */
import type { ApiTokenScope, BuildEventType, BuildStatus, BuildTrigger, ConcurrencyPolicy, CronJobRunStatus, Language, ReleaseEventType, ReleaseStatus, ReleaseStrategy, Role, TrafficRouter } from '../../resolvers/types.generated.ts';

/** The members of `T` that `V` leaves out. */
type Missing<T extends string, V extends readonly string[]> = Exclude<T, V[number]>;

/**
 * Returns a list of the values of the generated enum union `T`, in the order given. A value
 * that is not in `T` fails typecheck, and so does a list that leaves one out (the error names it
 * as `missing`).
 */
export function enumValues<T extends string>() {
  return <const V extends readonly T[]>(values: V & ([Missing<T, V>] extends [never] ? unknown : { missing: Missing<T, V> })): V => values;
}

/** Project roles, highest first (`project_members.role`). */
export const ROLES = enumValues<Role>()(['OWNER', 'MAINTAINER', 'DEVELOPER', 'VIEWER']);
/** What an API token may do, in order (`api_tokens.scopes`). */
export const API_TOKEN_SCOPES = enumValues<ApiTokenScope>()(['READ', 'WRITE']);
/** `apps.language`. */
export const LANGUAGES = enumValues<Language>()(['JAVA', 'GO', 'PHP', 'PYTHON', 'NODE', 'OTHER']);
/** `environments.router`. */
export const TRAFFIC_ROUTERS = enumValues<TrafficRouter>()(['ISTIO', 'GATEWAY_API']);
/** How the new version replaces the old one (`releases.strategy`). */
export const RELEASE_STRATEGIES = enumValues<ReleaseStrategy>()(['RECREATE', 'ROLLING', 'CANARY']);
/** A release's one status column (`releases.status`). */
export const RELEASE_STATUSES = enumValues<ReleaseStatus>()(['PENDING', 'PROGRESSING', 'PAUSED', 'SUCCEEDED', 'ABORTED', 'FAILED', 'SUPERSEDED']);
/** Types of the rows appended to `release_events.type`. */
export const RELEASE_EVENT_TYPES = enumValues<ReleaseEventType>()([
  'CREATED',
  'STEP_STARTED',
  'PODS_READY',
  'WEIGHT_APPLIED',
  'PAUSED',
  'PROMOTED',
  'RESUMED',
  'ABORTED',
  'FAILED',
  'SUCCEEDED',
  'SUPERSEDED',
  'POD_CHANGED',
  'ANALYSIS_PASSED',
  'VM_HOST_UPDATED',
  'ANALYSIS_FAILED',
  'WEIGHT_DIVERGED',
  'ANALYSIS_WAITING',
]);
/** `builds.status`. */
export const BUILD_STATUSES = enumValues<BuildStatus>()(['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELED']);
/** `builds.trigger`. */
export const BUILD_TRIGGERS = enumValues<BuildTrigger>()(['MANUAL', 'PUSH']);
/** `build_events.type`. */
export const BUILD_EVENT_TYPES = enumValues<BuildEventType>()([
  'QUEUED',
  'STAGE_STARTED',
  'STAGE_CACHED',
  'STAGE_SUCCEEDED',
  'STAGE_FAILED',
  'ARTIFACT_PUBLISHED',
  'SUCCEEDED',
  'FAILED',
  'CANCELED',
]);
/** What a cron job does when a run is due while one runs (`cron_jobs.concurrency_policy`). */
export const CONCURRENCY_POLICIES = enumValues<ConcurrencyPolicy>()(['ALLOW', 'FORBID', 'REPLACE']);
/** Where a cron job run is (`cron_job_runs.status`). */
export const CRON_JOB_RUN_STATUSES = enumValues<CronJobRunStatus>()(['RUNNING', 'SUCCEEDED', 'FAILED']);
