/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** A member to add, or an existing member's new role. */
export type AddProjectMemberInput = {
  /** The user's login; NOT_FOUND if there is no such user. */
  login: string;
  /** The project's global ID. */
  projectId: string;
  /** The role to give; only an OWNER (or a platform admin) may give OWNER. */
  role: Role;
};

/** The metric checks a canary runs at every step (Argo Rollouts' and Flagger's canary analysis). */
export type AnalysisInput = {
  /** Failed checks in a row that abort the release (default 1). */
  failureLimit?: number | null | undefined;
  /** Seconds between checks, and the window each one looks at (5 to 3600; default 60). */
  intervalSeconds?: number | null | undefined;
  /** The canary fails a check when its error ratio over the interval exceeds this (0..1). */
  maxErrorRatio?: number | null | undefined;
  /** The canary fails a check when its p99 latency over the interval exceeds this many seconds (positive). */
  maxLatencyP99Seconds?: number | null | undefined;
  /**
   * Requests the canary must have served in a check's window before the check counts (1 to 1,000,000;
   * default 50). With fewer, nothing is judged: the check waits and its window grows from the previous
   * check (or from the weight's application) until the canary has served that many, so a thin window
   * with a handful of requests never passes a bad canary. No traffic at all is not a pass either; the
   * progress deadline applies.
   */
  minRequests?: number | null | undefined;
};

/** Where a build is. */
export type BuildStatus =
  /** Stopped by cancelBuild. */
  | 'CANCELED'
  /** A stage failed, the source or registry could not be reached, or it outlived timeoutSeconds; statusMessage says which. */
  | 'FAILED'
  /** Waiting for a Gantry process with a free build slot (GANTRY_BUILD_CONCURRENCY). */
  | 'QUEUED'
  /** Its stages are running. */
  | 'RUNNING'
  /** Every stage succeeded and every artifact was published. */
  | 'SUCCEEDED';

/** Health of a cluster's connection, from its watches. */
export type ClusterStatus =
  /** Every watch is healthy and recently synced. */
  | 'CONNECTED'
  /** Reachable, but some watches are failing or stale. */
  | 'DEGRADED'
  /** No successful contact recently. */
  | 'UNREACHABLE';

/** A new app. */
export type CreateAppInput = {
  /** Free text, at most 2,000 characters. */
  description?: string | null | undefined;
  /** The app's main language. */
  language: Language;
  /** A DNS-1123 label of at most 40 characters, unique in the project (CONFLICT otherwise). */
  name: string;
  /** The project's global ID. */
  projectId: string;
  /** http(s) or ssh git URL. */
  repoUrl?: string | null | undefined;
};

/** A new environment of an app. */
export type CreateEnvironmentInput = {
  /** The app's global ID. */
  appId: string;
  /** Defaults to the only cluster, or the embedded one. */
  cluster?: string | null | undefined;
  /** A DNS-1123 label, unique within the app. */
  name: string;
  /**
   * A DNS-1123 label. Refused if another project owns it on the cluster (CONFLICT) or it is a
   * system namespace: kube-*, default, istio-system, gantry, gantry-system (BAD_USER_INPUT).
   * Defaults to <project slug>-<environment name>, or, when that is taken by another project, too
   * long or a system name, to it (cut to fit) with a 6-character suffix hashed from the project.
   */
  namespace?: string | null | undefined;
  /** Default false. Protected environments take MAINTAINER or OWNER to release to. */
  protected?: boolean | null | undefined;
  /** 0 to 1000; default 2. */
  replicas?: number | null | undefined;
  /** 0 to 50; default 3. */
  revisionHistoryLimit?: number | null | undefined;
  /** Default ISTIO. */
  router?: TrafficRouter | null | undefined;
};

/** A new project. */
export type CreateProjectInput = {
  /** Display name, 1 to 200 characters. */
  name: string;
  /** A DNS-1123 label, unique on the platform; used in default namespaces. */
  slug: string;
};

/** A new release. */
export type CreateReleaseInput = {
  /** Metric checks run at every canary step; failureLimit failed checks in a row abort the release. */
  analysis?: AnalysisInput | null | undefined;
  /** Release this build's IMAGE artifact (by digest). With buildId, image must be absent: make CreateReleaseInput.image optional, exactly one of the two. */
  buildId?: string | null | undefined;
  /** Pods of the new version during a canary (1 to 1000; default: the environment's replicas); independent of its traffic weight. CANARY only. */
  canaryReplicas?: number | null | undefined;
  /** Config revision to run with; defaults to the environment's latest. */
  configRevision?: number | null | undefined;
  /** The environment's global ID. */
  environmentId: string;
  /** Exactly one of image and buildId. An image reference, `[host[:port]/]path[:tag][@sha256:digest]` by the Docker grammar: host parts letters, digits and inner '-', port 1-65535, lowercase path, tag at most 128 characters. */
  image?: string | null | undefined;
  /** Seconds the new version's pods may take to become ready before the release FAILS: 1 to 86,400, default 600. */
  progressDeadlineSeconds?: number | null | undefined;
  /** CANARY only, at most 20. Default 10% (until promoted) → 50% (until promoted) → 100%. An environment's first release goes straight to 100%. */
  steps?: Array<ReleaseStepInput> | null | undefined;
  /** Defaults per environment: CANARY with the environment's steps when protected, else ROLLING. */
  strategy?: ReleaseStrategy | null | undefined;
  /** Abort the environment's active release (it ends SUPERSEDED) instead of failing with CONFLICT. */
  supersede?: boolean | null | undefined;
  /** VM: the build's TARBALL to the VM hosts, one at a time, each health-checked. JOINT: that, then the IMAGE to the cluster, then the steps' weights are the cloud's share at the load balancer. Default CLUSTER. */
  target?: ReleaseTarget | null | undefined;
};

/** The app's main language (informational: consoles show it; nothing in the rollout depends on it). */
export type Language =
  /** Go. */
  | 'GO'
  /** Java or another JVM language. */
  | 'JAVA'
  /** Node.js (JavaScript or TypeScript). */
  | 'NODE'
  /** Anything else. */
  | 'OTHER'
  /** PHP. */
  | 'PHP'
  /** Python. */
  | 'PYTHON';

/** The phase Kubernetes reports for a pod (`status.phase`). */
export type PodPhase =
  /** All containers exited, at least one with a failure. */
  | 'FAILED'
  /** Accepted, but not all containers are running yet (scheduling, pulling images). */
  | 'PENDING'
  /** Bound to a node, with at least one container running. */
  | 'RUNNING'
  /** All containers exited successfully and will not restart. */
  | 'SUCCEEDED'
  /** Kubernetes reports no phase, or one Gantry does not know. */
  | 'UNKNOWN';

/** What a release event records. */
export type ReleaseEventType =
  /** abortRelease stopped the release; the message holds the reason. Final. */
  | 'ABORTED'
  /** A canary analysis check failed (the message names the metric, its value and the threshold). */
  | 'ANALYSIS_FAILED'
  /** A canary analysis check passed (the message gives the values and thresholds); the step may advance. */
  | 'ANALYSIS_PASSED'
  /** A canary analysis check found fewer canary requests in its window than `minRequests` (the message gives how many): the step waits for traffic. Once per step; the status message keeps the count current. */
  | 'ANALYSIS_WAITING'
  /** The release was created (the message names its strategy and steps). */
  | 'CREATED'
  /** The pods were not ready within the deadline. Final. */
  | 'FAILED'
  /** The release paused: by pauseRelease, or at a step that waits for promotion. */
  | 'PAUSED'
  /** Every pod the next weight needs is ready (`readyReplicas`); for ROLLING and RECREATE, the rollout is available. */
  | 'PODS_READY'
  /** The number of ready canary pods changed without all being ready (`readyReplicas`); with none left, traffic went back to stable. */
  | 'POD_CHANGED'
  /** promoteRelease or promoteReleaseFully moved the release on. */
  | 'PROMOTED'
  /** resumeRelease continued a paused release. */
  | 'RESUMED'
  /** A traffic step started; `stepIndex` and `weight` say which. */
  | 'STEP_STARTED'
  /** The new version serves all traffic. Final. */
  | 'SUCCEEDED'
  /** A newer release replaced this one. Final. */
  | 'SUPERSEDED'
  /** target VM: a VM host runs the release, healthy (the message names it); the next host starts. */
  | 'VM_HOST_UPDATED'
  /** The router in the cluster reads back the step's weight (`weight`). */
  | 'WEIGHT_APPLIED'
  /** The canary's observed weight stayed more than 10 points from its applied weight for a minute (with or without analysis); `weight` is the applied weight, the message gives both. */
  | 'WEIGHT_DIVERGED';

/** Where a release is. SUCCEEDED, ABORTED, FAILED and SUPERSEDED are final: nothing changes the release afterwards. */
export type ReleaseStatus =
  /** Stopped by abortRelease: all traffic back on the stable version, the new pods removed. */
  | 'ABORTED'
  /** The new pods were not ready within `progressDeadlineSeconds`: traffic stays on (or returns to) the stable version. */
  | 'FAILED'
  /** Held: by pauseRelease (resumeRelease continues), or at a step waiting for promoteRelease (`statusMessage` says which). */
  | 'PAUSED'
  /** Created; a canary waits for its pods to be ready before the first step. */
  | 'PENDING'
  /** Rolling out: pods starting, a weight being applied, or a timed pause running. */
  | 'PROGRESSING'
  /** The new version serves all traffic and is the environment's stable release. */
  | 'SUCCEEDED'
  /** Replaced by a newer release (createRelease with `supersede: true`, or rollbackEnvironment). */
  | 'SUPERSEDED';

/**
 * One canary step. Weights strictly increase and the last is 100; a step pauses one way at most,
 * and the 100% step does not pause.
 */
export type ReleaseStepInput = {
  /** Seconds to hold this step's weight before the next: 1 to 604800 (7 days). For longer, use untilPromoted. */
  pauseSeconds?: number | null | undefined;
  /** Wait for promoteRelease once the weight is applied; default false. */
  untilPromoted?: boolean | null | undefined;
  /** Percent of traffic for the new version at this step, 1 to 100. */
  weight: number;
};

/** How the new version replaces the old one. */
export type ReleaseStrategy =
  /** New pods beside the stable ones; traffic shifts in steps once all of them are ready. */
  | 'CANARY'
  /** Stop every old pod, then start the new ones. */
  | 'RECREATE'
  /** The Deployment's own rolling update. */
  | 'ROLLING';

/** Where a release puts the new version: the cluster (default), the VMs, or both with the load balancer moving traffic between them. */
export type ReleaseTarget =
  /** The cluster's Deployment (image), as strategy says. */
  | 'CLUSTER'
  /** Both, with the load balancer's weights moving traffic from the VMs to the cloud. */
  | 'JOINT'
  /** The environment's VM hosts (tarball), one at a time. */
  | 'VM';

/** A member's role in a project; each role may do everything the roles below it may. Platform admins may do everything everywhere. */
export type Role =
  /** Updates apps and releases to unprotected environments. */
  | 'DEVELOPER'
  /** Manages members (up to MAINTAINER), apps, environments; releases to protected environments. */
  | 'MAINTAINER'
  /** Everything, including adding owners and deleting the project's apps. */
  | 'OWNER'
  /** Reads only. */
  | 'VIEWER';

/** Where one traffic step is. */
export type StepStatus =
  /** Applied and passed. */
  | 'DONE'
  /** Not reached yet. */
  | 'PENDING'
  /** Its weight is being applied, or its timed pause is running. */
  | 'RUNNING'
  /** Never applied: passed over by promoteReleaseFully, or the release ended first. */
  | 'SKIPPED'
  /** Its weight is applied and it waits for promoteRelease. */
  | 'WAITING_FOR_PROMOTION';

/** How a canary's traffic share is set in the cluster. */
export type TrafficRouter =
  /** Gateway API HTTPRoute backendRef weights between per-track Services. */
  | 'GATEWAY_API'
  /** Istio VirtualService weights between DestinationRule subsets. */
  | 'ISTIO';

/** What happened to an object, as the Kubernetes watch reports it. */
export type WatchEventType =
  /** The object appeared. */
  | 'ADDED'
  /** The object is gone. */
  | 'DELETED'
  /** The object changed. */
  | 'MODIFIED';

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { id: string, login: string, name: string | null, isAdmin: boolean } };

export type CreateReleaseMutationVariables = Exact<{
  input: CreateReleaseInput;
}>;


export type CreateReleaseMutation = { createRelease: { id: string, version: string } };

export type PromoteReleaseMutationVariables = Exact<{
  id: string;
  expectedStepIndex?: number | null | undefined;
}>;


export type PromoteReleaseMutation = { promoteRelease: { id: string, version: string, image: string, strategy: ReleaseStrategy, status: ReleaseStatus, statusMessage: string | null, currentStepIndex: number | null, declaredWeight: number, appliedWeight: number | null, isRollback: boolean, createdAt: string, finishedAt: string | null, createdBy: { id: string, login: string }, steps: Array<{ index: number, weight: number, untilPromoted: boolean, pauseSeconds: number | null, status: StepStatus }> } };

export type PromoteReleaseFullyMutationVariables = Exact<{
  id: string;
}>;


export type PromoteReleaseFullyMutation = { promoteReleaseFully: { id: string, version: string, image: string, strategy: ReleaseStrategy, status: ReleaseStatus, statusMessage: string | null, currentStepIndex: number | null, declaredWeight: number, appliedWeight: number | null, isRollback: boolean, createdAt: string, finishedAt: string | null, createdBy: { id: string, login: string }, steps: Array<{ index: number, weight: number, untilPromoted: boolean, pauseSeconds: number | null, status: StepStatus }> } };

export type PauseReleaseMutationVariables = Exact<{
  id: string;
}>;


export type PauseReleaseMutation = { pauseRelease: { id: string, version: string, image: string, strategy: ReleaseStrategy, status: ReleaseStatus, statusMessage: string | null, currentStepIndex: number | null, declaredWeight: number, appliedWeight: number | null, isRollback: boolean, createdAt: string, finishedAt: string | null, createdBy: { id: string, login: string }, steps: Array<{ index: number, weight: number, untilPromoted: boolean, pauseSeconds: number | null, status: StepStatus }> } };

export type ResumeReleaseMutationVariables = Exact<{
  id: string;
}>;


export type ResumeReleaseMutation = { resumeRelease: { id: string, version: string, image: string, strategy: ReleaseStrategy, status: ReleaseStatus, statusMessage: string | null, currentStepIndex: number | null, declaredWeight: number, appliedWeight: number | null, isRollback: boolean, createdAt: string, finishedAt: string | null, createdBy: { id: string, login: string }, steps: Array<{ index: number, weight: number, untilPromoted: boolean, pauseSeconds: number | null, status: StepStatus }> } };

export type AbortReleaseMutationVariables = Exact<{
  id: string;
  reason?: string | null | undefined;
}>;


export type AbortReleaseMutation = { abortRelease: { id: string, version: string, image: string, strategy: ReleaseStrategy, status: ReleaseStatus, statusMessage: string | null, currentStepIndex: number | null, declaredWeight: number, appliedWeight: number | null, isRollback: boolean, createdAt: string, finishedAt: string | null, createdBy: { id: string, login: string }, steps: Array<{ index: number, weight: number, untilPromoted: boolean, pauseSeconds: number | null, status: StepStatus }> } };

export type ReleaseLiveFragment = { id: string, version: string, image: string, strategy: ReleaseStrategy, status: ReleaseStatus, statusMessage: string | null, currentStepIndex: number | null, declaredWeight: number, appliedWeight: number | null, isRollback: boolean, createdAt: string, finishedAt: string | null, createdBy: { id: string, login: string }, steps: Array<{ index: number, weight: number, untilPromoted: boolean, pauseSeconds: number | null, status: StepStatus }> };

export type RollbackEnvironmentMutationVariables = Exact<{
  environmentId: string;
  toReleaseId?: string | null | undefined;
}>;


export type RollbackEnvironmentMutation = { rollbackEnvironment: { id: string, version: string } };

export type ReleaseProgressSubscriptionVariables = Exact<{
  id: string;
  after?: string | null | undefined;
}>;


export type ReleaseProgressSubscription = { releaseProgress: { cursor: string, sequence: number, at: string, type: ReleaseEventType, message: string, stepIndex: number | null, weight: number | null, readyReplicas: number | null, release: { id: string, version: string, image: string, strategy: ReleaseStrategy, status: ReleaseStatus, statusMessage: string | null, currentStepIndex: number | null, declaredWeight: number, appliedWeight: number | null, isRollback: boolean, createdAt: string, finishedAt: string | null, createdBy: { id: string, login: string }, steps: Array<{ index: number, weight: number, untilPromoted: boolean, pauseSeconds: number | null, status: StepStatus }> } } };

export type WorkloadFieldsFragment = { desiredReplicas: number, readyReplicas: number, declaredReplicas: number, stableReplicas: number | null, drift: boolean, versions: Array<{ deployment: string, version: string, image: string, desiredReplicas: number, replicas: number, readyReplicas: number, trafficWeight: number | null }>, pods: Array<{ name: string, version: string | null, phase: PodPhase, ready: boolean, restarts: number, startedAt: string | null }> };

export type WorkloadChangedSubscriptionVariables = Exact<{
  id: string;
}>;


export type WorkloadChangedSubscription = { workloadChanged: { desiredReplicas: number, readyReplicas: number, declaredReplicas: number, stableReplicas: number | null, drift: boolean, versions: Array<{ deployment: string, version: string, image: string, desiredReplicas: number, replicas: number, readyReplicas: number, trafficWeight: number | null }>, pods: Array<{ name: string, version: string | null, phase: PodPhase, ready: boolean, restarts: number, startedAt: string | null }> } };

export type PodEventsSubscriptionVariables = Exact<{
  id: string;
}>;


export type PodEventsSubscription = { podEvents: { type: WatchEventType, pod: { name: string, phase: PodPhase, ready: boolean, restarts: number } } };

export type AppPageQueryVariables = Exact<{
  slug: string;
  app: string;
}>;


export type AppPageQuery = { viewer: { id: string, isAdmin: boolean }, project: { id: string, name: string, viewerRole: Role | null, app: { id: string, name: string, language: Language, repoUrl: string | null, description: string | null, environments: Array<{ id: string, name: string, namespace: string, replicas: number, protected: boolean, cluster: { name: string, status: ClusterStatus }, currentRelease: { id: string, version: string, image: string } | null, activeRelease: { id: string, version: string, status: ReleaseStatus } | null }>, builds: { totalCount: number, nodes: Array<{ id: string, number: number, status: BuildStatus, ref: string, commit: string | null, createdAt: string, finishedAt: string | null, createdBy: { id: string, login: string } | null }> } } | null } | null };

export type CreateEnvironmentMutationVariables = Exact<{
  input: CreateEnvironmentInput;
}>;


export type CreateEnvironmentMutation = { createEnvironment: { id: string, name: string } };

export type EnvironmentPageQueryVariables = Exact<{
  slug: string;
  app: string;
  environment: string;
}>;


export type EnvironmentPageQuery = { project: { id: string, name: string, viewerRole: Role | null, app: { id: string, name: string, environment: { id: string, name: string, namespace: string, replicas: number, protected: boolean, router: TrafficRouter, cluster: { name: string, status: ClusterStatus }, currentRelease: { id: string, version: string, image: string } | null, activeRelease: { observedWeight: number | null, id: string, version: string, image: string, strategy: ReleaseStrategy, status: ReleaseStatus, statusMessage: string | null, currentStepIndex: number | null, declaredWeight: number, appliedWeight: number | null, isRollback: boolean, createdAt: string, finishedAt: string | null, createdBy: { id: string, login: string }, steps: Array<{ index: number, weight: number, untilPromoted: boolean, pauseSeconds: number | null, status: StepStatus }> } | null, releases: { totalCount: number, nodes: Array<{ id: string, version: string, image: string, strategy: ReleaseStrategy, status: ReleaseStatus, statusMessage: string | null, isRollback: boolean, createdAt: string, finishedAt: string | null, createdBy: { id: string, login: string } }> }, workload: { desiredReplicas: number, readyReplicas: number, declaredReplicas: number, stableReplicas: number | null, drift: boolean, versions: Array<{ deployment: string, version: string, image: string, desiredReplicas: number, replicas: number, readyReplicas: number, trafficWeight: number | null }>, pods: Array<{ name: string, version: string | null, phase: PodPhase, ready: boolean, restarts: number, startedAt: string | null }> } } | null } | null } | null };

export type ProjectQueryVariables = Exact<{
  slug: string;
}>;


export type ProjectQuery = { viewer: { id: string, isAdmin: boolean }, project: { id: string, slug: string, name: string, viewerRole: Role | null, members: Array<{ role: Role, user: { id: string, login: string, name: string | null } }>, apps: { nodes: Array<{ id: string, name: string, language: Language, description: string | null, environments: Array<{ id: string, name: string, protected: boolean }> }> } } | null };

export type ProjectAuditQueryVariables = Exact<{
  slug: string;
}>;


export type ProjectAuditQuery = { project: { id: string, auditLog: { totalCount: number, nodes: Array<{ id: string, at: string, action: string, targetType: string, actor: { id: string, login: string } | null }> } } | null };

export type CreateAppMutationVariables = Exact<{
  input: CreateAppInput;
}>;


export type CreateAppMutation = { createApp: { id: string, name: string } };

export type AddMemberMutationVariables = Exact<{
  input: AddProjectMemberInput;
}>;


export type AddMemberMutation = { addProjectMember: { role: Role, user: { id: string, login: string } } };

export type ProjectsQueryVariables = Exact<{ [key: string]: never; }>;


export type ProjectsQuery = { projects: { totalCount: number, nodes: Array<{ id: string, slug: string, name: string, viewerRole: Role | null }> } };

export type CreateProjectMutationVariables = Exact<{
  input: CreateProjectInput;
}>;


export type CreateProjectMutation = { createProject: { id: string, slug: string } };

export const ReleaseLiveFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReleaseLive"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Release"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"image"}},{"kind":"Field","name":{"kind":"Name","value":"strategy"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusMessage"}},{"kind":"Field","name":{"kind":"Name","value":"currentStepIndex"}},{"kind":"Field","name":{"kind":"Name","value":"declaredWeight"}},{"kind":"Field","name":{"kind":"Name","value":"appliedWeight"}},{"kind":"Field","name":{"kind":"Name","value":"isRollback"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"login"}}]}},{"kind":"Field","name":{"kind":"Name","value":"steps"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"weight"}},{"kind":"Field","name":{"kind":"Name","value":"untilPromoted"}},{"kind":"Field","name":{"kind":"Name","value":"pauseSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<ReleaseLiveFragment, unknown>;
export const WorkloadFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"WorkloadFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Workload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"desiredReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"readyReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"declaredReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"stableReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"drift"}},{"kind":"Field","name":{"kind":"Name","value":"versions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deployment"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"image"}},{"kind":"Field","name":{"kind":"Name","value":"desiredReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"replicas"}},{"kind":"Field","name":{"kind":"Name","value":"readyReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"trafficWeight"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pods"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"ready"}},{"kind":"Field","name":{"kind":"Name","value":"restarts"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}}]}}]}}]} as unknown as DocumentNode<WorkloadFieldsFragment, unknown>;
export const ViewerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"login"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"isAdmin"}}]}}]}}]} as unknown as DocumentNode<ViewerQuery, ViewerQueryVariables>;
export const CreateReleaseDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateRelease"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateReleaseInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createRelease"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]} as unknown as DocumentNode<CreateReleaseMutation, CreateReleaseMutationVariables>;
export const PromoteReleaseDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PromoteRelease"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"expectedStepIndex"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promoteRelease"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"expectedStepIndex"},"value":{"kind":"Variable","name":{"kind":"Name","value":"expectedStepIndex"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReleaseLive"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReleaseLive"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Release"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"image"}},{"kind":"Field","name":{"kind":"Name","value":"strategy"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusMessage"}},{"kind":"Field","name":{"kind":"Name","value":"currentStepIndex"}},{"kind":"Field","name":{"kind":"Name","value":"declaredWeight"}},{"kind":"Field","name":{"kind":"Name","value":"appliedWeight"}},{"kind":"Field","name":{"kind":"Name","value":"isRollback"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"login"}}]}},{"kind":"Field","name":{"kind":"Name","value":"steps"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"weight"}},{"kind":"Field","name":{"kind":"Name","value":"untilPromoted"}},{"kind":"Field","name":{"kind":"Name","value":"pauseSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<PromoteReleaseMutation, PromoteReleaseMutationVariables>;
export const PromoteReleaseFullyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PromoteReleaseFully"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promoteReleaseFully"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReleaseLive"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReleaseLive"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Release"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"image"}},{"kind":"Field","name":{"kind":"Name","value":"strategy"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusMessage"}},{"kind":"Field","name":{"kind":"Name","value":"currentStepIndex"}},{"kind":"Field","name":{"kind":"Name","value":"declaredWeight"}},{"kind":"Field","name":{"kind":"Name","value":"appliedWeight"}},{"kind":"Field","name":{"kind":"Name","value":"isRollback"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"login"}}]}},{"kind":"Field","name":{"kind":"Name","value":"steps"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"weight"}},{"kind":"Field","name":{"kind":"Name","value":"untilPromoted"}},{"kind":"Field","name":{"kind":"Name","value":"pauseSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<PromoteReleaseFullyMutation, PromoteReleaseFullyMutationVariables>;
export const PauseReleaseDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PauseRelease"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pauseRelease"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReleaseLive"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReleaseLive"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Release"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"image"}},{"kind":"Field","name":{"kind":"Name","value":"strategy"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusMessage"}},{"kind":"Field","name":{"kind":"Name","value":"currentStepIndex"}},{"kind":"Field","name":{"kind":"Name","value":"declaredWeight"}},{"kind":"Field","name":{"kind":"Name","value":"appliedWeight"}},{"kind":"Field","name":{"kind":"Name","value":"isRollback"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"login"}}]}},{"kind":"Field","name":{"kind":"Name","value":"steps"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"weight"}},{"kind":"Field","name":{"kind":"Name","value":"untilPromoted"}},{"kind":"Field","name":{"kind":"Name","value":"pauseSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<PauseReleaseMutation, PauseReleaseMutationVariables>;
export const ResumeReleaseDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ResumeRelease"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"resumeRelease"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReleaseLive"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReleaseLive"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Release"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"image"}},{"kind":"Field","name":{"kind":"Name","value":"strategy"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusMessage"}},{"kind":"Field","name":{"kind":"Name","value":"currentStepIndex"}},{"kind":"Field","name":{"kind":"Name","value":"declaredWeight"}},{"kind":"Field","name":{"kind":"Name","value":"appliedWeight"}},{"kind":"Field","name":{"kind":"Name","value":"isRollback"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"login"}}]}},{"kind":"Field","name":{"kind":"Name","value":"steps"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"weight"}},{"kind":"Field","name":{"kind":"Name","value":"untilPromoted"}},{"kind":"Field","name":{"kind":"Name","value":"pauseSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<ResumeReleaseMutation, ResumeReleaseMutationVariables>;
export const AbortReleaseDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AbortRelease"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"reason"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"abortRelease"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"reason"},"value":{"kind":"Variable","name":{"kind":"Name","value":"reason"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReleaseLive"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReleaseLive"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Release"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"image"}},{"kind":"Field","name":{"kind":"Name","value":"strategy"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusMessage"}},{"kind":"Field","name":{"kind":"Name","value":"currentStepIndex"}},{"kind":"Field","name":{"kind":"Name","value":"declaredWeight"}},{"kind":"Field","name":{"kind":"Name","value":"appliedWeight"}},{"kind":"Field","name":{"kind":"Name","value":"isRollback"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"login"}}]}},{"kind":"Field","name":{"kind":"Name","value":"steps"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"weight"}},{"kind":"Field","name":{"kind":"Name","value":"untilPromoted"}},{"kind":"Field","name":{"kind":"Name","value":"pauseSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<AbortReleaseMutation, AbortReleaseMutationVariables>;
export const RollbackEnvironmentDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RollbackEnvironment"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"environmentId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"toReleaseId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rollbackEnvironment"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"environmentId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"environmentId"}}},{"kind":"Argument","name":{"kind":"Name","value":"toReleaseId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"toReleaseId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]} as unknown as DocumentNode<RollbackEnvironmentMutation, RollbackEnvironmentMutationVariables>;
export const ReleaseProgressDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ReleaseProgress"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"releaseProgress"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"releaseId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"sequence"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"stepIndex"}},{"kind":"Field","name":{"kind":"Name","value":"weight"}},{"kind":"Field","name":{"kind":"Name","value":"readyReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"release"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReleaseLive"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReleaseLive"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Release"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"image"}},{"kind":"Field","name":{"kind":"Name","value":"strategy"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusMessage"}},{"kind":"Field","name":{"kind":"Name","value":"currentStepIndex"}},{"kind":"Field","name":{"kind":"Name","value":"declaredWeight"}},{"kind":"Field","name":{"kind":"Name","value":"appliedWeight"}},{"kind":"Field","name":{"kind":"Name","value":"isRollback"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"login"}}]}},{"kind":"Field","name":{"kind":"Name","value":"steps"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"weight"}},{"kind":"Field","name":{"kind":"Name","value":"untilPromoted"}},{"kind":"Field","name":{"kind":"Name","value":"pauseSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<ReleaseProgressSubscription, ReleaseProgressSubscriptionVariables>;
export const WorkloadChangedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"WorkloadChanged"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"workloadChanged"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"environmentId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"WorkloadFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"WorkloadFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Workload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"desiredReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"readyReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"declaredReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"stableReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"drift"}},{"kind":"Field","name":{"kind":"Name","value":"versions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deployment"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"image"}},{"kind":"Field","name":{"kind":"Name","value":"desiredReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"replicas"}},{"kind":"Field","name":{"kind":"Name","value":"readyReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"trafficWeight"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pods"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"ready"}},{"kind":"Field","name":{"kind":"Name","value":"restarts"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}}]}}]}}]} as unknown as DocumentNode<WorkloadChangedSubscription, WorkloadChangedSubscriptionVariables>;
export const PodEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"PodEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"podEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"environmentId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"pod"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"ready"}},{"kind":"Field","name":{"kind":"Name","value":"restarts"}}]}}]}}]}}]} as unknown as DocumentNode<PodEventsSubscription, PodEventsSubscriptionVariables>;
export const AppPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AppPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"slug"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"app"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"isAdmin"}}]}},{"kind":"Field","name":{"kind":"Name","value":"project"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"slug"},"value":{"kind":"Variable","name":{"kind":"Name","value":"slug"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"viewerRole"}},{"kind":"Field","name":{"kind":"Name","value":"app"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"app"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"language"}},{"kind":"Field","name":{"kind":"Name","value":"repoUrl"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"environments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"namespace"}},{"kind":"Field","name":{"kind":"Name","value":"replicas"}},{"kind":"Field","name":{"kind":"Name","value":"protected"}},{"kind":"Field","name":{"kind":"Name","value":"cluster"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"currentRelease"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"image"}}]}},{"kind":"Field","name":{"kind":"Name","value":"activeRelease"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"builds"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"10"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"ref"}},{"kind":"Field","name":{"kind":"Name","value":"commit"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"login"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<AppPageQuery, AppPageQueryVariables>;
export const CreateEnvironmentDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateEnvironment"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateEnvironmentInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createEnvironment"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<CreateEnvironmentMutation, CreateEnvironmentMutationVariables>;
export const EnvironmentPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"EnvironmentPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"slug"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"app"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"environment"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"project"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"slug"},"value":{"kind":"Variable","name":{"kind":"Name","value":"slug"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"viewerRole"}},{"kind":"Field","name":{"kind":"Name","value":"app"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"app"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"environment"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"environment"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"namespace"}},{"kind":"Field","name":{"kind":"Name","value":"replicas"}},{"kind":"Field","name":{"kind":"Name","value":"protected"}},{"kind":"Field","name":{"kind":"Name","value":"router"}},{"kind":"Field","name":{"kind":"Name","value":"cluster"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"currentRelease"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"image"}}]}},{"kind":"Field","name":{"kind":"Name","value":"activeRelease"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReleaseLive"}},{"kind":"Field","name":{"kind":"Name","value":"observedWeight"}}]}},{"kind":"Field","name":{"kind":"Name","value":"releases"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"image"}},{"kind":"Field","name":{"kind":"Name","value":"strategy"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusMessage"}},{"kind":"Field","name":{"kind":"Name","value":"isRollback"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"login"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"workload"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"WorkloadFields"}}]}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReleaseLive"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Release"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"image"}},{"kind":"Field","name":{"kind":"Name","value":"strategy"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusMessage"}},{"kind":"Field","name":{"kind":"Name","value":"currentStepIndex"}},{"kind":"Field","name":{"kind":"Name","value":"declaredWeight"}},{"kind":"Field","name":{"kind":"Name","value":"appliedWeight"}},{"kind":"Field","name":{"kind":"Name","value":"isRollback"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"login"}}]}},{"kind":"Field","name":{"kind":"Name","value":"steps"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"weight"}},{"kind":"Field","name":{"kind":"Name","value":"untilPromoted"}},{"kind":"Field","name":{"kind":"Name","value":"pauseSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"WorkloadFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Workload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"desiredReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"readyReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"declaredReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"stableReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"drift"}},{"kind":"Field","name":{"kind":"Name","value":"versions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deployment"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"image"}},{"kind":"Field","name":{"kind":"Name","value":"desiredReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"replicas"}},{"kind":"Field","name":{"kind":"Name","value":"readyReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"trafficWeight"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pods"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"ready"}},{"kind":"Field","name":{"kind":"Name","value":"restarts"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}}]}}]}}]} as unknown as DocumentNode<EnvironmentPageQuery, EnvironmentPageQueryVariables>;
export const ProjectDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Project"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"slug"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"isAdmin"}}]}},{"kind":"Field","name":{"kind":"Name","value":"project"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"slug"},"value":{"kind":"Variable","name":{"kind":"Name","value":"slug"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"slug"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"viewerRole"}},{"kind":"Field","name":{"kind":"Name","value":"members"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"login"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"apps"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"language"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"environments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"protected"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ProjectQuery, ProjectQueryVariables>;
export const ProjectAuditDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ProjectAudit"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"slug"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"project"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"slug"},"value":{"kind":"Variable","name":{"kind":"Name","value":"slug"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"auditLog"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"targetType"}},{"kind":"Field","name":{"kind":"Name","value":"actor"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"login"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ProjectAuditQuery, ProjectAuditQueryVariables>;
export const CreateAppDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateApp"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateAppInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createApp"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<CreateAppMutation, CreateAppMutationVariables>;
export const AddMemberDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AddMember"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"AddProjectMemberInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addProjectMember"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"login"}}]}}]}}]}}]} as unknown as DocumentNode<AddMemberMutation, AddMemberMutationVariables>;
export const ProjectsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Projects"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"projects"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"slug"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"viewerRole"}}]}}]}}]}}]} as unknown as DocumentNode<ProjectsQuery, ProjectsQueryVariables>;
export const CreateProjectDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateProject"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateProjectInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createProject"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"slug"}}]}}]}}]} as unknown as DocumentNode<CreateProjectMutation, CreateProjectMutationVariables>;