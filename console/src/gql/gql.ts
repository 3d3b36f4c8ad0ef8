/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment LogLineFields on LogLine { cursor at source version message }\n": typeof types.LogLineFieldsFragmentDoc,
    "\n  subscription LogTail($environmentId: ID!, $filter: LogFilter, $after: String) {\n    logTailBatches(environmentId: $environmentId, filter: $filter, after: $after, maxLines: 500, maxDelayMs: 100) {\n      cursor\n      lines { ...LogLineFields }\n    }\n  }\n": typeof types.LogTailDocument,
    "\n  query Viewer {\n    viewer { id login name isAdmin }\n  }\n": typeof types.ViewerDocument,
    "\n  fragment AlertFields on Alert {\n    id status startsAt endsAt summary\n    subscription { id template { id name severity } environment { id } }\n  }\n": typeof types.AlertFieldsFragmentDoc,
    "\n  query EnvironmentAlerts($id: ID!) {\n    alertTemplates { id name description severity forSeconds builtIn parameters { name description default type } }\n    node(id: $id) {\n      ... on Environment {\n        id\n        alertSubscriptions { id parameters webhookUrl abortsReleases createdBy { id login } template { id name severity } }\n        alerts(first: 20) { totalCount nodes { ...AlertFields } }\n      }\n    }\n  }\n": typeof types.EnvironmentAlertsDocument,
    "subscription AlertEvents($projectId: ID!) { alertEvents(projectId: $projectId) { ...AlertFields } }": typeof types.AlertEventsDocument,
    "mutation SubscribeToAlert($input: SubscribeToAlertInput!) { subscribeToAlert(input: $input) { id } }": typeof types.SubscribeToAlertDocument,
    "mutation UnsubscribeFromAlert($id: ID!) { unsubscribeFromAlert(id: $id) }": typeof types.UnsubscribeFromAlertDocument,
    "mutation SetBuildSpec($appId: ID!, $spec: String!) { setBuildSpec(appId: $appId, spec: $spec) { id buildSpec } }": typeof types.SetBuildSpecDocument,
    "mutation CreateBuild($input: CreateBuildInput!) { createBuild(input: $input) { id number } }": typeof types.CreateBuildDocument,
    "\n  subscription BuildLogs($id: ID!, $after: String) { buildLogs(buildId: $id, after: $after) { ...LogLineFields } }\n": typeof types.BuildLogsDocument,
    "\n  mutation ReleaseBuild($input: CreateReleaseInput!) { createRelease(input: $input) { id version image } }\n": typeof types.ReleaseBuildDocument,
    "\n  mutation UpdateConfig($input: UpdateConfigInput!) { updateConfig(input: $input) { id number } }\n": typeof types.UpdateConfigDocument,
    "\n  mutation SetSecret($input: SetSecretInput!) { setSecret(input: $input) { name updatedAt } }\n": typeof types.SetSecretDocument,
    "\n  mutation DeleteSecret($environmentId: ID!, $name: String!) { deleteSecret(environmentId: $environmentId, name: $name) }\n": typeof types.DeleteSecretDocument,
    "\n  fragment ConfigRevisionFields on ConfigRevision {\n    id number message createdAt createdBy { id login }\n    variables { name value }\n    files { path content }\n    secrets { name updatedAt }\n  }\n": typeof types.ConfigRevisionFieldsFragmentDoc,
    "\n  query EnvironmentConfig($id: ID!) {\n    node(id: $id) {\n      ... on Environment {\n        id\n        config { ...ConfigRevisionFields }\n        configRevisions(first: 20) { totalCount nodes { ...ConfigRevisionFields } }\n      }\n    }\n  }\n": typeof types.EnvironmentConfigDocument,
    "\n  subscription ConfigChanged($id: ID!) { configChanged(environmentId: $id) { id number } }\n": typeof types.ConfigChangedDocument,
    "\n  fragment CronJobFields on CronJob {\n    id name schedule timeZone command image suspended concurrencyPolicy lastScheduleAt nextRunAt\n    runs(first: 5) { totalCount nodes { id status manual startedAt finishedAt } }\n  }\n": typeof types.CronJobFieldsFragmentDoc,
    "\n  query EnvironmentCronJobs($id: ID!) { node(id: $id) { ... on Environment { id cronJobs { ...CronJobFields } } } }\n": typeof types.EnvironmentCronJobsDocument,
    "mutation CreateCronJob($input: CreateCronJobInput!) { createCronJob(input: $input) { id } }": typeof types.CreateCronJobDocument,
    "mutation UpdateCronJob($input: UpdateCronJobInput!) { updateCronJob(input: $input) { id suspended } }": typeof types.UpdateCronJobDocument,
    "mutation TriggerCronJob($id: ID!) { triggerCronJob(id: $id) { id status } }": typeof types.TriggerCronJobDocument,
    "mutation DeleteCronJob($id: ID!) { deleteCronJob(id: $id) }": typeof types.DeleteCronJobDocument,
    "\n  query CronRunLog($id: ID!) { node(id: $id) { ... on CronJobRun { id log(first: 500) { nodes { ...LogLineFields } } } } }\n": typeof types.CronRunLogDocument,
    "\n  query EnvironmentLogs($id: ID!, $filter: LogFilter, $first: Int, $after: String) {\n    node(id: $id) {\n      ... on Environment {\n        logs(filter: $filter, first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { ...LogLineFields } }\n      }\n    }\n  }\n": typeof types.EnvironmentLogsDocument,
    "\n  query EnvironmentMetrics($id: ID!, $metrics: [StandardMetric!]!, $range: MetricRange!) {\n    node(id: $id) {\n      ... on Environment { metrics(metrics: $metrics, range: $range, byVersion: true) { name version points { at value } } }\n    }\n  }\n": typeof types.EnvironmentMetricsDocument,
    "\n  mutation CreateRelease($input: CreateReleaseInput!) { createRelease(input: $input) { id version } }\n": typeof types.CreateReleaseDocument,
    "\n  mutation PromoteRelease($id: ID!, $expectedStepIndex: Int) {\n    promoteRelease(id: $id, expectedStepIndex: $expectedStepIndex) { ...ReleaseLive }\n  }\n": typeof types.PromoteReleaseDocument,
    "\n  mutation PromoteReleaseFully($id: ID!) { promoteReleaseFully(id: $id) { ...ReleaseLive } }\n": typeof types.PromoteReleaseFullyDocument,
    "\n  mutation PauseRelease($id: ID!) { pauseRelease(id: $id) { ...ReleaseLive } }\n": typeof types.PauseReleaseDocument,
    "\n  mutation ResumeRelease($id: ID!) { resumeRelease(id: $id) { ...ReleaseLive } }\n": typeof types.ResumeReleaseDocument,
    "\n  mutation AbortRelease($id: ID!, $reason: String) { abortRelease(id: $id, reason: $reason) { ...ReleaseLive } }\n": typeof types.AbortReleaseDocument,
    "\n  fragment ReleaseLive on Release {\n    id version image strategy status statusMessage currentStepIndex declaredWeight appliedWeight\n    isRollback createdAt finishedAt\n    createdBy { id login }\n    steps { index weight untilPromoted pauseSeconds status }\n  }\n": typeof types.ReleaseLiveFragmentDoc,
    "\n  mutation RollbackEnvironment($environmentId: ID!, $toReleaseId: ID) {\n    rollbackEnvironment(environmentId: $environmentId, toReleaseId: $toReleaseId) { id version }\n  }\n": typeof types.RollbackEnvironmentDocument,
    "\n  subscription ReleaseProgress($id: ID!, $after: String) {\n    releaseProgress(releaseId: $id, after: $after) {\n      cursor sequence at type message stepIndex weight readyReplicas\n      release { ...ReleaseLive }\n    }\n  }\n": typeof types.ReleaseProgressDocument,
    "\n  fragment VmHostFields on VmHost { id name status version healthy lastSeenAt address message }\n": typeof types.VmHostFieldsFragmentDoc,
    "\n  query EnvironmentVms($id: ID!) {\n    node(id: $id) {\n      ... on Environment { id vmHosts { ...VmHostFields } trafficSplit { frontend vmWeight cloudWeight appliedAt } }\n    }\n  }\n": typeof types.EnvironmentVmsDocument,
    "subscription VmHostsChanged($id: ID!) { vmHostsChanged(environmentId: $id) { ...VmHostFields } }": typeof types.VmHostsChangedDocument,
    "\n  fragment WorkloadFields on Workload {\n    desiredReplicas readyReplicas declaredReplicas stableReplicas drift\n    versions { deployment version image desiredReplicas replicas readyReplicas trafficWeight }\n    pods { name version phase ready restarts startedAt }\n  }\n": typeof types.WorkloadFieldsFragmentDoc,
    "\n  subscription WorkloadChanged($id: ID!) { workloadChanged(environmentId: $id) { ...WorkloadFields } }\n": typeof types.WorkloadChangedDocument,
    "\n  subscription PodEvents($id: ID!) { podEvents(environmentId: $id) { type pod { name phase ready restarts } } }\n": typeof types.PodEventsDocument,
    "\n  query AppPage($slug: String!, $app: String!) {\n    viewer { id isAdmin }\n    project(slug: $slug) {\n      id name viewerRole\n      app(name: $app) {\n        id name language repoUrl description\n        environments {\n          id name namespace replicas protected\n          cluster { name status }\n          currentRelease { id version image }\n          activeRelease { id version status }\n        }\n        buildSpec\n        builds(first: 10) { totalCount nodes { id number status ref commit createdAt finishedAt createdBy { id login } } }\n      }\n    }\n  }\n": typeof types.AppPageDocument,
    "\n  mutation CreateEnvironment($input: CreateEnvironmentInput!) {\n    createEnvironment(input: $input) { id name }\n  }\n": typeof types.CreateEnvironmentDocument,
    "\n  fragment BuildFields on Build {\n    id number status statusMessage trigger ref commit createdAt startedAt finishedAt createdBy { id login }\n    stages { name status cacheKey cacheHit startedAt finishedAt }\n    artifacts { kind name reference digest }\n  }\n": typeof types.BuildFieldsFragmentDoc,
    "\n  query BuildPage($id: ID!, $slug: String!) {\n    viewer { id isAdmin }\n    project(slug: $slug) { id name viewerRole }\n    build(id: $id) { ...BuildFields app { id name environments { id name protected } } }\n  }\n": typeof types.BuildPageDocument,
    "\n  subscription BuildProgress($id: ID!, $after: String) {\n    buildProgress(buildId: $id, after: $after) { cursor sequence at type stage message build { ...BuildFields } }\n  }\n": typeof types.BuildProgressDocument,
    "mutation CancelBuild($id: ID!) { cancelBuild(id: $id) { id status } }": typeof types.CancelBuildDocument,
    "\n  query EnvironmentPage($slug: String!, $app: String!, $environment: String!) {\n    project(slug: $slug) {\n      id name viewerRole\n      app(name: $app) {\n        id name\n        environment(name: $environment) {\n          id name namespace replicas protected router\n          cluster { name status }\n          currentRelease { id version image }\n          activeRelease { ...ReleaseLive observedWeight }\n          releases(first: 20) {\n            totalCount\n            nodes { id version image strategy status statusMessage isRollback createdAt finishedAt createdBy { id login } }\n          }\n          workload { ...WorkloadFields }\n        }\n      }\n    }\n  }\n": typeof types.EnvironmentPageDocument,
    "\n  query Project($slug: String!) {\n    viewer { id isAdmin }\n    project(slug: $slug) {\n      id slug name viewerRole\n      members { role user { id login name } }\n      apps(first: 100) { nodes { id name language description environments { id name protected } } }\n    }\n  }\n": typeof types.ProjectDocument,
    "\n  query ProjectAudit($slug: String!) {\n    project(slug: $slug) {\n      id\n      auditLog(first: 20) { totalCount nodes { id at action targetType actor { id login } } }\n    }\n  }\n": typeof types.ProjectAuditDocument,
    "\n  mutation CreateApp($input: CreateAppInput!) {\n    createApp(input: $input) { id name }\n  }\n": typeof types.CreateAppDocument,
    "\n  mutation AddMember($input: AddProjectMemberInput!) {\n    addProjectMember(input: $input) { role user { id login } }\n  }\n": typeof types.AddMemberDocument,
    "\n  query Projects {\n    projects(first: 100) { totalCount nodes { id slug name viewerRole } }\n  }\n": typeof types.ProjectsDocument,
    "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) { id slug }\n  }\n": typeof types.CreateProjectDocument,
};
const documents: Documents = {
    "\n  fragment LogLineFields on LogLine { cursor at source version message }\n": types.LogLineFieldsFragmentDoc,
    "\n  subscription LogTail($environmentId: ID!, $filter: LogFilter, $after: String) {\n    logTailBatches(environmentId: $environmentId, filter: $filter, after: $after, maxLines: 500, maxDelayMs: 100) {\n      cursor\n      lines { ...LogLineFields }\n    }\n  }\n": types.LogTailDocument,
    "\n  query Viewer {\n    viewer { id login name isAdmin }\n  }\n": types.ViewerDocument,
    "\n  fragment AlertFields on Alert {\n    id status startsAt endsAt summary\n    subscription { id template { id name severity } environment { id } }\n  }\n": types.AlertFieldsFragmentDoc,
    "\n  query EnvironmentAlerts($id: ID!) {\n    alertTemplates { id name description severity forSeconds builtIn parameters { name description default type } }\n    node(id: $id) {\n      ... on Environment {\n        id\n        alertSubscriptions { id parameters webhookUrl abortsReleases createdBy { id login } template { id name severity } }\n        alerts(first: 20) { totalCount nodes { ...AlertFields } }\n      }\n    }\n  }\n": types.EnvironmentAlertsDocument,
    "subscription AlertEvents($projectId: ID!) { alertEvents(projectId: $projectId) { ...AlertFields } }": types.AlertEventsDocument,
    "mutation SubscribeToAlert($input: SubscribeToAlertInput!) { subscribeToAlert(input: $input) { id } }": types.SubscribeToAlertDocument,
    "mutation UnsubscribeFromAlert($id: ID!) { unsubscribeFromAlert(id: $id) }": types.UnsubscribeFromAlertDocument,
    "mutation SetBuildSpec($appId: ID!, $spec: String!) { setBuildSpec(appId: $appId, spec: $spec) { id buildSpec } }": types.SetBuildSpecDocument,
    "mutation CreateBuild($input: CreateBuildInput!) { createBuild(input: $input) { id number } }": types.CreateBuildDocument,
    "\n  subscription BuildLogs($id: ID!, $after: String) { buildLogs(buildId: $id, after: $after) { ...LogLineFields } }\n": types.BuildLogsDocument,
    "\n  mutation ReleaseBuild($input: CreateReleaseInput!) { createRelease(input: $input) { id version image } }\n": types.ReleaseBuildDocument,
    "\n  mutation UpdateConfig($input: UpdateConfigInput!) { updateConfig(input: $input) { id number } }\n": types.UpdateConfigDocument,
    "\n  mutation SetSecret($input: SetSecretInput!) { setSecret(input: $input) { name updatedAt } }\n": types.SetSecretDocument,
    "\n  mutation DeleteSecret($environmentId: ID!, $name: String!) { deleteSecret(environmentId: $environmentId, name: $name) }\n": types.DeleteSecretDocument,
    "\n  fragment ConfigRevisionFields on ConfigRevision {\n    id number message createdAt createdBy { id login }\n    variables { name value }\n    files { path content }\n    secrets { name updatedAt }\n  }\n": types.ConfigRevisionFieldsFragmentDoc,
    "\n  query EnvironmentConfig($id: ID!) {\n    node(id: $id) {\n      ... on Environment {\n        id\n        config { ...ConfigRevisionFields }\n        configRevisions(first: 20) { totalCount nodes { ...ConfigRevisionFields } }\n      }\n    }\n  }\n": types.EnvironmentConfigDocument,
    "\n  subscription ConfigChanged($id: ID!) { configChanged(environmentId: $id) { id number } }\n": types.ConfigChangedDocument,
    "\n  fragment CronJobFields on CronJob {\n    id name schedule timeZone command image suspended concurrencyPolicy lastScheduleAt nextRunAt\n    runs(first: 5) { totalCount nodes { id status manual startedAt finishedAt } }\n  }\n": types.CronJobFieldsFragmentDoc,
    "\n  query EnvironmentCronJobs($id: ID!) { node(id: $id) { ... on Environment { id cronJobs { ...CronJobFields } } } }\n": types.EnvironmentCronJobsDocument,
    "mutation CreateCronJob($input: CreateCronJobInput!) { createCronJob(input: $input) { id } }": types.CreateCronJobDocument,
    "mutation UpdateCronJob($input: UpdateCronJobInput!) { updateCronJob(input: $input) { id suspended } }": types.UpdateCronJobDocument,
    "mutation TriggerCronJob($id: ID!) { triggerCronJob(id: $id) { id status } }": types.TriggerCronJobDocument,
    "mutation DeleteCronJob($id: ID!) { deleteCronJob(id: $id) }": types.DeleteCronJobDocument,
    "\n  query CronRunLog($id: ID!) { node(id: $id) { ... on CronJobRun { id log(first: 500) { nodes { ...LogLineFields } } } } }\n": types.CronRunLogDocument,
    "\n  query EnvironmentLogs($id: ID!, $filter: LogFilter, $first: Int, $after: String) {\n    node(id: $id) {\n      ... on Environment {\n        logs(filter: $filter, first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { ...LogLineFields } }\n      }\n    }\n  }\n": types.EnvironmentLogsDocument,
    "\n  query EnvironmentMetrics($id: ID!, $metrics: [StandardMetric!]!, $range: MetricRange!) {\n    node(id: $id) {\n      ... on Environment { metrics(metrics: $metrics, range: $range, byVersion: true) { name version points { at value } } }\n    }\n  }\n": types.EnvironmentMetricsDocument,
    "\n  mutation CreateRelease($input: CreateReleaseInput!) { createRelease(input: $input) { id version } }\n": types.CreateReleaseDocument,
    "\n  mutation PromoteRelease($id: ID!, $expectedStepIndex: Int) {\n    promoteRelease(id: $id, expectedStepIndex: $expectedStepIndex) { ...ReleaseLive }\n  }\n": types.PromoteReleaseDocument,
    "\n  mutation PromoteReleaseFully($id: ID!) { promoteReleaseFully(id: $id) { ...ReleaseLive } }\n": types.PromoteReleaseFullyDocument,
    "\n  mutation PauseRelease($id: ID!) { pauseRelease(id: $id) { ...ReleaseLive } }\n": types.PauseReleaseDocument,
    "\n  mutation ResumeRelease($id: ID!) { resumeRelease(id: $id) { ...ReleaseLive } }\n": types.ResumeReleaseDocument,
    "\n  mutation AbortRelease($id: ID!, $reason: String) { abortRelease(id: $id, reason: $reason) { ...ReleaseLive } }\n": types.AbortReleaseDocument,
    "\n  fragment ReleaseLive on Release {\n    id version image strategy status statusMessage currentStepIndex declaredWeight appliedWeight\n    isRollback createdAt finishedAt\n    createdBy { id login }\n    steps { index weight untilPromoted pauseSeconds status }\n  }\n": types.ReleaseLiveFragmentDoc,
    "\n  mutation RollbackEnvironment($environmentId: ID!, $toReleaseId: ID) {\n    rollbackEnvironment(environmentId: $environmentId, toReleaseId: $toReleaseId) { id version }\n  }\n": types.RollbackEnvironmentDocument,
    "\n  subscription ReleaseProgress($id: ID!, $after: String) {\n    releaseProgress(releaseId: $id, after: $after) {\n      cursor sequence at type message stepIndex weight readyReplicas\n      release { ...ReleaseLive }\n    }\n  }\n": types.ReleaseProgressDocument,
    "\n  fragment VmHostFields on VmHost { id name status version healthy lastSeenAt address message }\n": types.VmHostFieldsFragmentDoc,
    "\n  query EnvironmentVms($id: ID!) {\n    node(id: $id) {\n      ... on Environment { id vmHosts { ...VmHostFields } trafficSplit { frontend vmWeight cloudWeight appliedAt } }\n    }\n  }\n": types.EnvironmentVmsDocument,
    "subscription VmHostsChanged($id: ID!) { vmHostsChanged(environmentId: $id) { ...VmHostFields } }": types.VmHostsChangedDocument,
    "\n  fragment WorkloadFields on Workload {\n    desiredReplicas readyReplicas declaredReplicas stableReplicas drift\n    versions { deployment version image desiredReplicas replicas readyReplicas trafficWeight }\n    pods { name version phase ready restarts startedAt }\n  }\n": types.WorkloadFieldsFragmentDoc,
    "\n  subscription WorkloadChanged($id: ID!) { workloadChanged(environmentId: $id) { ...WorkloadFields } }\n": types.WorkloadChangedDocument,
    "\n  subscription PodEvents($id: ID!) { podEvents(environmentId: $id) { type pod { name phase ready restarts } } }\n": types.PodEventsDocument,
    "\n  query AppPage($slug: String!, $app: String!) {\n    viewer { id isAdmin }\n    project(slug: $slug) {\n      id name viewerRole\n      app(name: $app) {\n        id name language repoUrl description\n        environments {\n          id name namespace replicas protected\n          cluster { name status }\n          currentRelease { id version image }\n          activeRelease { id version status }\n        }\n        buildSpec\n        builds(first: 10) { totalCount nodes { id number status ref commit createdAt finishedAt createdBy { id login } } }\n      }\n    }\n  }\n": types.AppPageDocument,
    "\n  mutation CreateEnvironment($input: CreateEnvironmentInput!) {\n    createEnvironment(input: $input) { id name }\n  }\n": types.CreateEnvironmentDocument,
    "\n  fragment BuildFields on Build {\n    id number status statusMessage trigger ref commit createdAt startedAt finishedAt createdBy { id login }\n    stages { name status cacheKey cacheHit startedAt finishedAt }\n    artifacts { kind name reference digest }\n  }\n": types.BuildFieldsFragmentDoc,
    "\n  query BuildPage($id: ID!, $slug: String!) {\n    viewer { id isAdmin }\n    project(slug: $slug) { id name viewerRole }\n    build(id: $id) { ...BuildFields app { id name environments { id name protected } } }\n  }\n": types.BuildPageDocument,
    "\n  subscription BuildProgress($id: ID!, $after: String) {\n    buildProgress(buildId: $id, after: $after) { cursor sequence at type stage message build { ...BuildFields } }\n  }\n": types.BuildProgressDocument,
    "mutation CancelBuild($id: ID!) { cancelBuild(id: $id) { id status } }": types.CancelBuildDocument,
    "\n  query EnvironmentPage($slug: String!, $app: String!, $environment: String!) {\n    project(slug: $slug) {\n      id name viewerRole\n      app(name: $app) {\n        id name\n        environment(name: $environment) {\n          id name namespace replicas protected router\n          cluster { name status }\n          currentRelease { id version image }\n          activeRelease { ...ReleaseLive observedWeight }\n          releases(first: 20) {\n            totalCount\n            nodes { id version image strategy status statusMessage isRollback createdAt finishedAt createdBy { id login } }\n          }\n          workload { ...WorkloadFields }\n        }\n      }\n    }\n  }\n": types.EnvironmentPageDocument,
    "\n  query Project($slug: String!) {\n    viewer { id isAdmin }\n    project(slug: $slug) {\n      id slug name viewerRole\n      members { role user { id login name } }\n      apps(first: 100) { nodes { id name language description environments { id name protected } } }\n    }\n  }\n": types.ProjectDocument,
    "\n  query ProjectAudit($slug: String!) {\n    project(slug: $slug) {\n      id\n      auditLog(first: 20) { totalCount nodes { id at action targetType actor { id login } } }\n    }\n  }\n": types.ProjectAuditDocument,
    "\n  mutation CreateApp($input: CreateAppInput!) {\n    createApp(input: $input) { id name }\n  }\n": types.CreateAppDocument,
    "\n  mutation AddMember($input: AddProjectMemberInput!) {\n    addProjectMember(input: $input) { role user { id login } }\n  }\n": types.AddMemberDocument,
    "\n  query Projects {\n    projects(first: 100) { totalCount nodes { id slug name viewerRole } }\n  }\n": types.ProjectsDocument,
    "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) { id slug }\n  }\n": types.CreateProjectDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LogLineFields on LogLine { cursor at source version message }\n"): (typeof documents)["\n  fragment LogLineFields on LogLine { cursor at source version message }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LogTail($environmentId: ID!, $filter: LogFilter, $after: String) {\n    logTailBatches(environmentId: $environmentId, filter: $filter, after: $after, maxLines: 500, maxDelayMs: 100) {\n      cursor\n      lines { ...LogLineFields }\n    }\n  }\n"): (typeof documents)["\n  subscription LogTail($environmentId: ID!, $filter: LogFilter, $after: String) {\n    logTailBatches(environmentId: $environmentId, filter: $filter, after: $after, maxLines: 500, maxDelayMs: 100) {\n      cursor\n      lines { ...LogLineFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer { id login name isAdmin }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer { id login name isAdmin }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AlertFields on Alert {\n    id status startsAt endsAt summary\n    subscription { id template { id name severity } environment { id } }\n  }\n"): (typeof documents)["\n  fragment AlertFields on Alert {\n    id status startsAt endsAt summary\n    subscription { id template { id name severity } environment { id } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EnvironmentAlerts($id: ID!) {\n    alertTemplates { id name description severity forSeconds builtIn parameters { name description default type } }\n    node(id: $id) {\n      ... on Environment {\n        id\n        alertSubscriptions { id parameters webhookUrl abortsReleases createdBy { id login } template { id name severity } }\n        alerts(first: 20) { totalCount nodes { ...AlertFields } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query EnvironmentAlerts($id: ID!) {\n    alertTemplates { id name description severity forSeconds builtIn parameters { name description default type } }\n    node(id: $id) {\n      ... on Environment {\n        id\n        alertSubscriptions { id parameters webhookUrl abortsReleases createdBy { id login } template { id name severity } }\n        alerts(first: 20) { totalCount nodes { ...AlertFields } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription AlertEvents($projectId: ID!) { alertEvents(projectId: $projectId) { ...AlertFields } }"): (typeof documents)["subscription AlertEvents($projectId: ID!) { alertEvents(projectId: $projectId) { ...AlertFields } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SubscribeToAlert($input: SubscribeToAlertInput!) { subscribeToAlert(input: $input) { id } }"): (typeof documents)["mutation SubscribeToAlert($input: SubscribeToAlertInput!) { subscribeToAlert(input: $input) { id } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation UnsubscribeFromAlert($id: ID!) { unsubscribeFromAlert(id: $id) }"): (typeof documents)["mutation UnsubscribeFromAlert($id: ID!) { unsubscribeFromAlert(id: $id) }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SetBuildSpec($appId: ID!, $spec: String!) { setBuildSpec(appId: $appId, spec: $spec) { id buildSpec } }"): (typeof documents)["mutation SetBuildSpec($appId: ID!, $spec: String!) { setBuildSpec(appId: $appId, spec: $spec) { id buildSpec } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateBuild($input: CreateBuildInput!) { createBuild(input: $input) { id number } }"): (typeof documents)["mutation CreateBuild($input: CreateBuildInput!) { createBuild(input: $input) { id number } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription BuildLogs($id: ID!, $after: String) { buildLogs(buildId: $id, after: $after) { ...LogLineFields } }\n"): (typeof documents)["\n  subscription BuildLogs($id: ID!, $after: String) { buildLogs(buildId: $id, after: $after) { ...LogLineFields } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReleaseBuild($input: CreateReleaseInput!) { createRelease(input: $input) { id version image } }\n"): (typeof documents)["\n  mutation ReleaseBuild($input: CreateReleaseInput!) { createRelease(input: $input) { id version image } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateConfig($input: UpdateConfigInput!) { updateConfig(input: $input) { id number } }\n"): (typeof documents)["\n  mutation UpdateConfig($input: UpdateConfigInput!) { updateConfig(input: $input) { id number } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetSecret($input: SetSecretInput!) { setSecret(input: $input) { name updatedAt } }\n"): (typeof documents)["\n  mutation SetSecret($input: SetSecretInput!) { setSecret(input: $input) { name updatedAt } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteSecret($environmentId: ID!, $name: String!) { deleteSecret(environmentId: $environmentId, name: $name) }\n"): (typeof documents)["\n  mutation DeleteSecret($environmentId: ID!, $name: String!) { deleteSecret(environmentId: $environmentId, name: $name) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConfigRevisionFields on ConfigRevision {\n    id number message createdAt createdBy { id login }\n    variables { name value }\n    files { path content }\n    secrets { name updatedAt }\n  }\n"): (typeof documents)["\n  fragment ConfigRevisionFields on ConfigRevision {\n    id number message createdAt createdBy { id login }\n    variables { name value }\n    files { path content }\n    secrets { name updatedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EnvironmentConfig($id: ID!) {\n    node(id: $id) {\n      ... on Environment {\n        id\n        config { ...ConfigRevisionFields }\n        configRevisions(first: 20) { totalCount nodes { ...ConfigRevisionFields } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query EnvironmentConfig($id: ID!) {\n    node(id: $id) {\n      ... on Environment {\n        id\n        config { ...ConfigRevisionFields }\n        configRevisions(first: 20) { totalCount nodes { ...ConfigRevisionFields } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ConfigChanged($id: ID!) { configChanged(environmentId: $id) { id number } }\n"): (typeof documents)["\n  subscription ConfigChanged($id: ID!) { configChanged(environmentId: $id) { id number } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CronJobFields on CronJob {\n    id name schedule timeZone command image suspended concurrencyPolicy lastScheduleAt nextRunAt\n    runs(first: 5) { totalCount nodes { id status manual startedAt finishedAt } }\n  }\n"): (typeof documents)["\n  fragment CronJobFields on CronJob {\n    id name schedule timeZone command image suspended concurrencyPolicy lastScheduleAt nextRunAt\n    runs(first: 5) { totalCount nodes { id status manual startedAt finishedAt } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EnvironmentCronJobs($id: ID!) { node(id: $id) { ... on Environment { id cronJobs { ...CronJobFields } } } }\n"): (typeof documents)["\n  query EnvironmentCronJobs($id: ID!) { node(id: $id) { ... on Environment { id cronJobs { ...CronJobFields } } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateCronJob($input: CreateCronJobInput!) { createCronJob(input: $input) { id } }"): (typeof documents)["mutation CreateCronJob($input: CreateCronJobInput!) { createCronJob(input: $input) { id } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation UpdateCronJob($input: UpdateCronJobInput!) { updateCronJob(input: $input) { id suspended } }"): (typeof documents)["mutation UpdateCronJob($input: UpdateCronJobInput!) { updateCronJob(input: $input) { id suspended } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation TriggerCronJob($id: ID!) { triggerCronJob(id: $id) { id status } }"): (typeof documents)["mutation TriggerCronJob($id: ID!) { triggerCronJob(id: $id) { id status } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation DeleteCronJob($id: ID!) { deleteCronJob(id: $id) }"): (typeof documents)["mutation DeleteCronJob($id: ID!) { deleteCronJob(id: $id) }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CronRunLog($id: ID!) { node(id: $id) { ... on CronJobRun { id log(first: 500) { nodes { ...LogLineFields } } } } }\n"): (typeof documents)["\n  query CronRunLog($id: ID!) { node(id: $id) { ... on CronJobRun { id log(first: 500) { nodes { ...LogLineFields } } } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EnvironmentLogs($id: ID!, $filter: LogFilter, $first: Int, $after: String) {\n    node(id: $id) {\n      ... on Environment {\n        logs(filter: $filter, first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { ...LogLineFields } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query EnvironmentLogs($id: ID!, $filter: LogFilter, $first: Int, $after: String) {\n    node(id: $id) {\n      ... on Environment {\n        logs(filter: $filter, first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { ...LogLineFields } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EnvironmentMetrics($id: ID!, $metrics: [StandardMetric!]!, $range: MetricRange!) {\n    node(id: $id) {\n      ... on Environment { metrics(metrics: $metrics, range: $range, byVersion: true) { name version points { at value } } }\n    }\n  }\n"): (typeof documents)["\n  query EnvironmentMetrics($id: ID!, $metrics: [StandardMetric!]!, $range: MetricRange!) {\n    node(id: $id) {\n      ... on Environment { metrics(metrics: $metrics, range: $range, byVersion: true) { name version points { at value } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateRelease($input: CreateReleaseInput!) { createRelease(input: $input) { id version } }\n"): (typeof documents)["\n  mutation CreateRelease($input: CreateReleaseInput!) { createRelease(input: $input) { id version } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PromoteRelease($id: ID!, $expectedStepIndex: Int) {\n    promoteRelease(id: $id, expectedStepIndex: $expectedStepIndex) { ...ReleaseLive }\n  }\n"): (typeof documents)["\n  mutation PromoteRelease($id: ID!, $expectedStepIndex: Int) {\n    promoteRelease(id: $id, expectedStepIndex: $expectedStepIndex) { ...ReleaseLive }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PromoteReleaseFully($id: ID!) { promoteReleaseFully(id: $id) { ...ReleaseLive } }\n"): (typeof documents)["\n  mutation PromoteReleaseFully($id: ID!) { promoteReleaseFully(id: $id) { ...ReleaseLive } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PauseRelease($id: ID!) { pauseRelease(id: $id) { ...ReleaseLive } }\n"): (typeof documents)["\n  mutation PauseRelease($id: ID!) { pauseRelease(id: $id) { ...ReleaseLive } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResumeRelease($id: ID!) { resumeRelease(id: $id) { ...ReleaseLive } }\n"): (typeof documents)["\n  mutation ResumeRelease($id: ID!) { resumeRelease(id: $id) { ...ReleaseLive } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AbortRelease($id: ID!, $reason: String) { abortRelease(id: $id, reason: $reason) { ...ReleaseLive } }\n"): (typeof documents)["\n  mutation AbortRelease($id: ID!, $reason: String) { abortRelease(id: $id, reason: $reason) { ...ReleaseLive } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ReleaseLive on Release {\n    id version image strategy status statusMessage currentStepIndex declaredWeight appliedWeight\n    isRollback createdAt finishedAt\n    createdBy { id login }\n    steps { index weight untilPromoted pauseSeconds status }\n  }\n"): (typeof documents)["\n  fragment ReleaseLive on Release {\n    id version image strategy status statusMessage currentStepIndex declaredWeight appliedWeight\n    isRollback createdAt finishedAt\n    createdBy { id login }\n    steps { index weight untilPromoted pauseSeconds status }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RollbackEnvironment($environmentId: ID!, $toReleaseId: ID) {\n    rollbackEnvironment(environmentId: $environmentId, toReleaseId: $toReleaseId) { id version }\n  }\n"): (typeof documents)["\n  mutation RollbackEnvironment($environmentId: ID!, $toReleaseId: ID) {\n    rollbackEnvironment(environmentId: $environmentId, toReleaseId: $toReleaseId) { id version }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ReleaseProgress($id: ID!, $after: String) {\n    releaseProgress(releaseId: $id, after: $after) {\n      cursor sequence at type message stepIndex weight readyReplicas\n      release { ...ReleaseLive }\n    }\n  }\n"): (typeof documents)["\n  subscription ReleaseProgress($id: ID!, $after: String) {\n    releaseProgress(releaseId: $id, after: $after) {\n      cursor sequence at type message stepIndex weight readyReplicas\n      release { ...ReleaseLive }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment VmHostFields on VmHost { id name status version healthy lastSeenAt address message }\n"): (typeof documents)["\n  fragment VmHostFields on VmHost { id name status version healthy lastSeenAt address message }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EnvironmentVms($id: ID!) {\n    node(id: $id) {\n      ... on Environment { id vmHosts { ...VmHostFields } trafficSplit { frontend vmWeight cloudWeight appliedAt } }\n    }\n  }\n"): (typeof documents)["\n  query EnvironmentVms($id: ID!) {\n    node(id: $id) {\n      ... on Environment { id vmHosts { ...VmHostFields } trafficSplit { frontend vmWeight cloudWeight appliedAt } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription VmHostsChanged($id: ID!) { vmHostsChanged(environmentId: $id) { ...VmHostFields } }"): (typeof documents)["subscription VmHostsChanged($id: ID!) { vmHostsChanged(environmentId: $id) { ...VmHostFields } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WorkloadFields on Workload {\n    desiredReplicas readyReplicas declaredReplicas stableReplicas drift\n    versions { deployment version image desiredReplicas replicas readyReplicas trafficWeight }\n    pods { name version phase ready restarts startedAt }\n  }\n"): (typeof documents)["\n  fragment WorkloadFields on Workload {\n    desiredReplicas readyReplicas declaredReplicas stableReplicas drift\n    versions { deployment version image desiredReplicas replicas readyReplicas trafficWeight }\n    pods { name version phase ready restarts startedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WorkloadChanged($id: ID!) { workloadChanged(environmentId: $id) { ...WorkloadFields } }\n"): (typeof documents)["\n  subscription WorkloadChanged($id: ID!) { workloadChanged(environmentId: $id) { ...WorkloadFields } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription PodEvents($id: ID!) { podEvents(environmentId: $id) { type pod { name phase ready restarts } } }\n"): (typeof documents)["\n  subscription PodEvents($id: ID!) { podEvents(environmentId: $id) { type pod { name phase ready restarts } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AppPage($slug: String!, $app: String!) {\n    viewer { id isAdmin }\n    project(slug: $slug) {\n      id name viewerRole\n      app(name: $app) {\n        id name language repoUrl description\n        environments {\n          id name namespace replicas protected\n          cluster { name status }\n          currentRelease { id version image }\n          activeRelease { id version status }\n        }\n        buildSpec\n        builds(first: 10) { totalCount nodes { id number status ref commit createdAt finishedAt createdBy { id login } } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AppPage($slug: String!, $app: String!) {\n    viewer { id isAdmin }\n    project(slug: $slug) {\n      id name viewerRole\n      app(name: $app) {\n        id name language repoUrl description\n        environments {\n          id name namespace replicas protected\n          cluster { name status }\n          currentRelease { id version image }\n          activeRelease { id version status }\n        }\n        buildSpec\n        builds(first: 10) { totalCount nodes { id number status ref commit createdAt finishedAt createdBy { id login } } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateEnvironment($input: CreateEnvironmentInput!) {\n    createEnvironment(input: $input) { id name }\n  }\n"): (typeof documents)["\n  mutation CreateEnvironment($input: CreateEnvironmentInput!) {\n    createEnvironment(input: $input) { id name }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment BuildFields on Build {\n    id number status statusMessage trigger ref commit createdAt startedAt finishedAt createdBy { id login }\n    stages { name status cacheKey cacheHit startedAt finishedAt }\n    artifacts { kind name reference digest }\n  }\n"): (typeof documents)["\n  fragment BuildFields on Build {\n    id number status statusMessage trigger ref commit createdAt startedAt finishedAt createdBy { id login }\n    stages { name status cacheKey cacheHit startedAt finishedAt }\n    artifacts { kind name reference digest }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BuildPage($id: ID!, $slug: String!) {\n    viewer { id isAdmin }\n    project(slug: $slug) { id name viewerRole }\n    build(id: $id) { ...BuildFields app { id name environments { id name protected } } }\n  }\n"): (typeof documents)["\n  query BuildPage($id: ID!, $slug: String!) {\n    viewer { id isAdmin }\n    project(slug: $slug) { id name viewerRole }\n    build(id: $id) { ...BuildFields app { id name environments { id name protected } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription BuildProgress($id: ID!, $after: String) {\n    buildProgress(buildId: $id, after: $after) { cursor sequence at type stage message build { ...BuildFields } }\n  }\n"): (typeof documents)["\n  subscription BuildProgress($id: ID!, $after: String) {\n    buildProgress(buildId: $id, after: $after) { cursor sequence at type stage message build { ...BuildFields } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CancelBuild($id: ID!) { cancelBuild(id: $id) { id status } }"): (typeof documents)["mutation CancelBuild($id: ID!) { cancelBuild(id: $id) { id status } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EnvironmentPage($slug: String!, $app: String!, $environment: String!) {\n    project(slug: $slug) {\n      id name viewerRole\n      app(name: $app) {\n        id name\n        environment(name: $environment) {\n          id name namespace replicas protected router\n          cluster { name status }\n          currentRelease { id version image }\n          activeRelease { ...ReleaseLive observedWeight }\n          releases(first: 20) {\n            totalCount\n            nodes { id version image strategy status statusMessage isRollback createdAt finishedAt createdBy { id login } }\n          }\n          workload { ...WorkloadFields }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query EnvironmentPage($slug: String!, $app: String!, $environment: String!) {\n    project(slug: $slug) {\n      id name viewerRole\n      app(name: $app) {\n        id name\n        environment(name: $environment) {\n          id name namespace replicas protected router\n          cluster { name status }\n          currentRelease { id version image }\n          activeRelease { ...ReleaseLive observedWeight }\n          releases(first: 20) {\n            totalCount\n            nodes { id version image strategy status statusMessage isRollback createdAt finishedAt createdBy { id login } }\n          }\n          workload { ...WorkloadFields }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Project($slug: String!) {\n    viewer { id isAdmin }\n    project(slug: $slug) {\n      id slug name viewerRole\n      members { role user { id login name } }\n      apps(first: 100) { nodes { id name language description environments { id name protected } } }\n    }\n  }\n"): (typeof documents)["\n  query Project($slug: String!) {\n    viewer { id isAdmin }\n    project(slug: $slug) {\n      id slug name viewerRole\n      members { role user { id login name } }\n      apps(first: 100) { nodes { id name language description environments { id name protected } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProjectAudit($slug: String!) {\n    project(slug: $slug) {\n      id\n      auditLog(first: 20) { totalCount nodes { id at action targetType actor { id login } } }\n    }\n  }\n"): (typeof documents)["\n  query ProjectAudit($slug: String!) {\n    project(slug: $slug) {\n      id\n      auditLog(first: 20) { totalCount nodes { id at action targetType actor { id login } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApp($input: CreateAppInput!) {\n    createApp(input: $input) { id name }\n  }\n"): (typeof documents)["\n  mutation CreateApp($input: CreateAppInput!) {\n    createApp(input: $input) { id name }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddMember($input: AddProjectMemberInput!) {\n    addProjectMember(input: $input) { role user { id login } }\n  }\n"): (typeof documents)["\n  mutation AddMember($input: AddProjectMemberInput!) {\n    addProjectMember(input: $input) { role user { id login } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Projects {\n    projects(first: 100) { totalCount nodes { id slug name viewerRole } }\n  }\n"): (typeof documents)["\n  query Projects {\n    projects(first: 100) { totalCount nodes { id slug name viewerRole } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) { id slug }\n  }\n"): (typeof documents)["\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) { id slug }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;