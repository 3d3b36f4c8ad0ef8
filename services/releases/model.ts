/**
 * Release domain: the closed sets, the state the machine keeps, its inputs and the effects it
 * asks for. Types and constants only; no I/O. The machine is in `machine.ts`, step planning in
 * `steps.ts`. The closed sets are the SDL's enums: their types come from codegen, and the lists
 * that are stored in text columns from db/schema/enums.ts.
 */
import type { ReleaseEventType, ReleaseStatus, ReleaseStrategy, StepStatus } from '../../resolvers/types.generated.ts';
import type { ObservedVmHost, VmRollout } from './vm-steps.ts';
import type { JointRollout } from './joint-steps.ts';

export { RELEASE_EVENT_TYPES, RELEASE_STATUSES, RELEASE_STRATEGIES } from '../../db/schema/enums.ts';
/** How the new version replaces the old one (`enum ReleaseStrategy`). */
export type { ReleaseStrategy };
/** The strategies that only rewrite the environment's Deployment (no traffic steps). */
export type DeploymentStrategy = Exclude<ReleaseStrategy, 'CANARY'>;

/** A release's one status column (`enum ReleaseStatus`). */
export type { ReleaseStatus };

/** Statuses a release never leaves. */
export const FINAL_RELEASE_STATUSES = ['SUCCEEDED', 'ABORTED', 'FAILED', 'SUPERSEDED'] as const satisfies readonly ReleaseStatus[];
/** One of FINAL_RELEASE_STATUSES. */
export type FinalReleaseStatus = (typeof FINAL_RELEASE_STATUSES)[number];

/** Returns true when `status` is final: no command or observation changes the release again. */
export function isFinalStatus(status: ReleaseStatus): status is FinalReleaseStatus {
  return (FINAL_RELEASE_STATUSES as readonly ReleaseStatus[]).includes(status);
}

/** The status of one traffic step (`enum StepStatus`; kept in the `state` jsonb, so no list). */
export type { StepStatus };

/** Types of the rows appended to `release_events` (`enum ReleaseEventType`). */
export type { ReleaseEventType };

/** Seconds the new version's pods may take to become ready, unless the release says otherwise. */
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;
/** Seconds the previous stable Deployment keeps its pods after a canary succeeds (in-flight requests drain). */
export const SCALE_DOWN_DELAY_SECONDS = 30;

/** A step as the API accepts it (`ReleaseStepInput`). */
export interface ReleaseStepInput {
  weight: number;
  pauseSeconds?: number | null;
  untilPromoted?: boolean | null;
}

/** A validated step: percent of traffic for the new version, then an optional wait. */
export interface ReleaseStepSpec {
  weight: number;
  /** Timed pause after the weight is applied; null for none. Never set together with untilPromoted. */
  pauseSeconds: number | null;
  /** Manual gate after the weight is applied: the release waits for promoteRelease. */
  untilPromoted: boolean;
}

/** Canary steps of a protected environment: two manual gates, then everything. */
export const DEFAULT_CANARY_STEPS: readonly ReleaseStepSpec[] = [
  { weight: 10, pauseSeconds: null, untilPromoted: true },
  { weight: 50, pauseSeconds: null, untilPromoted: true },
  { weight: 100, pauseSeconds: null, untilPromoted: false },
];

/** One step of a release, with its progress. */
export interface ReleaseStep extends ReleaseStepSpec {
  index: number;
  status: StepStatus;
  startedAt: Date | null;
  finishedAt: Date | null;
  /**
   * When the router was read back at this step's weight; null until then. Anchors the timed
   * pause and makes WEIGHT_APPLIED happen once per application. Reset if the weight is withdrawn
   * because the canary pods were lost.
   */
  weightAppliedAt: Date | null;
  /** With analysis: when a check of this step passed; the step does not advance before (a promotion still may). */
  analysisPassedAt?: Date | null;
  /** With analysis: why the step's checks wait (too few canary requests), and since when it says so; null once a check counted. */
  analysisWaiting?: { message: string; at: Date } | null;
}

/** What `planRelease` settles before a release starts (see `steps.ts`). */
export interface ReleasePlan {
  strategy: ReleaseStrategy;
  /** CANARY: the traffic steps. ROLLING/RECREATE: a single step of 100 (the whole rollout). */
  steps: readonly ReleaseStepSpec[];
  /** New-version pods while the canary weight is below 100. */
  canaryReplicas: number;
  /** The environment's replicas: the new version's size at 100% and after. */
  replicas: number;
  progressDeadlineSeconds: number;
  isRollback: boolean;
}

/**
 * Everything the machine needs about one release; committed to the database before effects run.
 * Identity (id, image, version, environment) and the lease/version columns live beside it, not in it.
 */
export interface ReleaseState {
  strategy: ReleaseStrategy;
  status: ReleaseStatus;
  statusMessage: string | null;
  steps: readonly ReleaseStep[];
  /** Index of the last step started; null before the first one starts. */
  currentStepIndex: number | null;
  /** Percent of traffic the release intends for the new version now (what SET_WEIGHT writes). */
  declaredWeight: number;
  /** Canary weight last read back from the router object; null if never read. */
  appliedWeight: number | null;
  /** Ready canary pods at the last observation; PODS_READY and POD_CHANGED fire on its changes. */
  canaryReadyReplicas: number;
  canaryReplicas: number;
  replicas: number;
  progressDeadlineSeconds: number;
  isRollback: boolean;
  /** Start of the current wait for pods (and router) to be ready; null when not waiting. */
  waitingSince: Date | null;
  createdAt: Date;
  finishedAt: Date | null;
  /** Canary analysis; absent or null: steps advance on readiness and pauses alone. */
  analysis?: AnalysisSpec | null;
  /** `target: VM`: the hosts being updated one at a time (vm-steps.ts); absent for the cluster. */
  vm?: VmRollout | null;
  /** `target: JOINT`: the phase, and the split to go back to (joint-steps.ts); `vm` holds its hosts. */
  joint?: JointRollout | null;
}

/** User commands. Creation is `startRelease`, since there is no state to transition from. */
export type ReleaseCommand =
  | { type: 'PROMOTE'; expectedStepIndex?: number | null }
  | { type: 'PROMOTE_FULLY' }
  | { type: 'PAUSE' }
  | { type: 'RESUME' }
  | { type: 'ABORT'; reason?: string | null }
  | { type: 'SUPERSEDE'; reason?: string | null }
  /** From the engine, not users: the release cannot run (its config objects were refused). */
  | { type: 'FAIL'; reason: string };

/** One reading of the cluster by the reconcile loop; time passing arrives as its `now`. */
export interface Observation {
  type: 'OBSERVED';
  /** Router objects exist and their `canary` subset (or track Service) selects this release's version. */
  routerReady: boolean;
  /** Canary weight read back from the router object; null when it could not be read. */
  appliedCanaryWeight: number | null;
  canaryReadyReplicas: number;
  /** `spec.replicas` of this release's canary Deployment as the cluster reports it (0 if missing). */
  canaryDesiredReplicas: number;
  stableReadyReplicas: number;
  /** ROLLING/RECREATE: every replica of the Deployment runs this release's template. */
  deploymentUpdated: boolean;
  /** ROLLING/RECREATE: every replica is available (and the controller saw the latest generation). */
  deploymentAvailable: boolean;
  /** `target: VM`: the hosts as their agents last reported. */
  vmHosts?: ObservedVmHost[];
  /** `target: JOINT`: the cloud weight HAProxy reads back; null when it cannot be read. */
  splitCloudWeight?: number | null;
}

/** Anything `transition` accepts. */
export type ReleaseInput = ReleaseCommand | Observation | AnalysisResult;

/** Canary analysis of a release (CreateReleaseInput.analysis, checked): thresholds per check. */
export interface AnalysisSpec {
  maxErrorRatio: number | null;
  maxLatencyP99Seconds: number | null;
  intervalSeconds: number;
  failureLimit: number;
  /** Canary requests a check's window needs; releases stored before it existed use the default. */
  minRequests?: number;
}

/** One canary analysis check of the active step, as the engine's analyzer judged it (services/metrics/analysis.ts). */
export interface AnalysisResult {
  type: 'ANALYZED';
  stepIndex: number;
  passed: boolean;
  /** Values against thresholds; on an abort, the reason. */
  message: string;
  /** failureLimit failed checks in a row: abort the release. */
  abort: boolean;
  /** Too few canary requests to judge: nothing passed or failed, the step waits (`message` says how many). */
  waiting?: boolean;
}

/**
 * Cluster work, as data. Every effect is idempotent and scoped to the release it came from. A list
 * is ordered: the engine runs it in order and stops at the first failure, so a later effect never
 * runs before an earlier one succeeded (e.g. REMOVE_CANARY only after SET_WEIGHT 0 was written and
 * read back).
 */
export type Effect =
  /** This release's Deployment (labelled with its version) exists with `replicas` pods. */
  | { type: 'ENSURE_CANARY'; replicas: number }
  /** Service and DestinationRule subsets stable/canary (or per-track Services) exist; canary selects this version. */
  | { type: 'ENSURE_ROUTER' }
  /** Router weights canary/stable = canaryWeight/(100 - canaryWeight); written, then read back. */
  | { type: 'SET_WEIGHT'; canaryWeight: number }
  /** This release's version becomes the environment's stable one: the router's `stable` selects it. */
  | { type: 'PROMOTE_STABLE' }
  /** The previous stable Deployment scales to zero, not before `notBefore` (= finishedAt + afterSeconds). */
  | { type: 'SCALE_DOWN_OLD'; afterSeconds: number; notBefore: Date }
  /** This release's canary Deployment is removed. */
  | { type: 'REMOVE_CANARY' }
  /** The environment's Deployment runs this release's image, rolled out with `strategy`. */
  | { type: 'UPDATE_DEPLOYMENT'; strategy: DeploymentStrategy }
  /** The environment's Deployment runs the stable release's image again (scaled to zero if there is none). */
  | { type: 'RESTORE_DEPLOYMENT'; strategy: DeploymentStrategy };

/** A row for `release_events`; the repository assigns sequence and cursor. */
export interface NewReleaseEvent {
  type: ReleaseEventType;
  at: Date;
  message: string;
  stepIndex: number | null;
  weight: number | null;
  readyReplicas: number | null;
}

/** Why a command was refused; `code` is the contract's error code it maps to. */
export const MACHINE_ERROR_REASONS = [
  'RELEASE_FINISHED',
  'NOT_CANARY',
  'STEP_MISMATCH',
  'NOT_WAITING_FOR_PROMOTION',
  'WAITING_FOR_PROMOTION',
  'ALREADY_PAUSED',
  'NOT_PAUSED',
] as const;
/** One of MACHINE_ERROR_REASONS. */
export type MachineErrorReason = (typeof MACHINE_ERROR_REASONS)[number];

/** A refused command. STEP_MISMATCH has code STALE_STEP; every other reason is a CONFLICT. */
export interface MachineError {
  code: 'CONFLICT' | 'STALE_STEP';
  reason: MachineErrorReason;
  message: string;
}

/** An accepted input: the state to commit, then the effects to run and the events to append. */
export interface Transition {
  next: ReleaseState;
  effects: Effect[];
  events: NewReleaseEvent[];
}

/** What `transition` returns. */
export type TransitionResult = Transition | { error: MachineError };

/** An invalid input field, named as in CreateReleaseInput (`steps[1].weight`). */
export interface FieldError {
  field: string;
  message: string;
}

/** Alias for codegen's mappers (the GraphQL type is also called ReleaseStep). */
export type ReleaseStepModel = ReleaseStep;
