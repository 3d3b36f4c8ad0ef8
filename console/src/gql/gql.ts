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
    "\n  query Viewer {\n    viewer { id login name isAdmin }\n  }\n": typeof types.ViewerDocument,
    "\n  mutation CreateRelease($input: CreateReleaseInput!) { createRelease(input: $input) { id version } }\n": typeof types.CreateReleaseDocument,
    "\n  mutation PromoteRelease($id: ID!, $expectedStepIndex: Int) {\n    promoteRelease(id: $id, expectedStepIndex: $expectedStepIndex) { ...ReleaseLive }\n  }\n": typeof types.PromoteReleaseDocument,
    "\n  mutation PromoteReleaseFully($id: ID!) { promoteReleaseFully(id: $id) { ...ReleaseLive } }\n": typeof types.PromoteReleaseFullyDocument,
    "\n  mutation PauseRelease($id: ID!) { pauseRelease(id: $id) { ...ReleaseLive } }\n": typeof types.PauseReleaseDocument,
    "\n  mutation ResumeRelease($id: ID!) { resumeRelease(id: $id) { ...ReleaseLive } }\n": typeof types.ResumeReleaseDocument,
    "\n  mutation AbortRelease($id: ID!, $reason: String) { abortRelease(id: $id, reason: $reason) { ...ReleaseLive } }\n": typeof types.AbortReleaseDocument,
    "\n  fragment ReleaseLive on Release {\n    id version image strategy status statusMessage currentStepIndex declaredWeight appliedWeight\n    isRollback createdAt finishedAt\n    createdBy { id login }\n    steps { index weight untilPromoted pauseSeconds status }\n  }\n": typeof types.ReleaseLiveFragmentDoc,
    "\n  mutation RollbackEnvironment($environmentId: ID!, $toReleaseId: ID) {\n    rollbackEnvironment(environmentId: $environmentId, toReleaseId: $toReleaseId) { id version }\n  }\n": typeof types.RollbackEnvironmentDocument,
    "\n  subscription ReleaseProgress($id: ID!, $after: String) {\n    releaseProgress(releaseId: $id, after: $after) {\n      cursor sequence at type message stepIndex weight readyReplicas\n      release { ...ReleaseLive }\n    }\n  }\n": typeof types.ReleaseProgressDocument,
    "\n  fragment WorkloadFields on Workload {\n    desiredReplicas readyReplicas declaredReplicas stableReplicas drift\n    versions { deployment version image desiredReplicas replicas readyReplicas trafficWeight }\n    pods { name version phase ready restarts startedAt }\n  }\n": typeof types.WorkloadFieldsFragmentDoc,
    "\n  subscription WorkloadChanged($id: ID!) { workloadChanged(environmentId: $id) { ...WorkloadFields } }\n": typeof types.WorkloadChangedDocument,
    "\n  subscription PodEvents($id: ID!) { podEvents(environmentId: $id) { type pod { name phase ready restarts } } }\n": typeof types.PodEventsDocument,
    "\n  query AppPage($slug: String!, $app: String!) {\n    viewer { id isAdmin }\n    project(slug: $slug) {\n      id name viewerRole\n      app(name: $app) {\n        id name language repoUrl description\n        environments {\n          id name namespace replicas protected\n          cluster { name status }\n          currentRelease { id version image }\n          activeRelease { id version status }\n        }\n        builds(first: 10) { totalCount nodes { id number status ref commit createdAt finishedAt createdBy { id login } } }\n      }\n    }\n  }\n": typeof types.AppPageDocument,
    "\n  mutation CreateEnvironment($input: CreateEnvironmentInput!) {\n    createEnvironment(input: $input) { id name }\n  }\n": typeof types.CreateEnvironmentDocument,
    "\n  query EnvironmentPage($slug: String!, $app: String!, $environment: String!) {\n    project(slug: $slug) {\n      id name viewerRole\n      app(name: $app) {\n        id name\n        environment(name: $environment) {\n          id name namespace replicas protected router\n          cluster { name status }\n          currentRelease { id version image }\n          activeRelease { ...ReleaseLive observedWeight }\n          releases(first: 20) {\n            totalCount\n            nodes { id version image strategy status statusMessage isRollback createdAt finishedAt createdBy { id login } }\n          }\n          workload { ...WorkloadFields }\n        }\n      }\n    }\n  }\n": typeof types.EnvironmentPageDocument,
    "\n  query Project($slug: String!) {\n    viewer { id isAdmin }\n    project(slug: $slug) {\n      id slug name viewerRole\n      members { role user { id login name } }\n      apps(first: 100) { nodes { id name language description environments { id name protected } } }\n    }\n  }\n": typeof types.ProjectDocument,
    "\n  query ProjectAudit($slug: String!) {\n    project(slug: $slug) {\n      id\n      auditLog(first: 20) { totalCount nodes { id at action targetType actor { id login } } }\n    }\n  }\n": typeof types.ProjectAuditDocument,
    "\n  mutation CreateApp($input: CreateAppInput!) {\n    createApp(input: $input) { id name }\n  }\n": typeof types.CreateAppDocument,
    "\n  mutation AddMember($input: AddProjectMemberInput!) {\n    addProjectMember(input: $input) { role user { id login } }\n  }\n": typeof types.AddMemberDocument,
    "\n  query Projects {\n    projects(first: 100) { totalCount nodes { id slug name viewerRole } }\n  }\n": typeof types.ProjectsDocument,
    "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) { id slug }\n  }\n": typeof types.CreateProjectDocument,
};
const documents: Documents = {
    "\n  query Viewer {\n    viewer { id login name isAdmin }\n  }\n": types.ViewerDocument,
    "\n  mutation CreateRelease($input: CreateReleaseInput!) { createRelease(input: $input) { id version } }\n": types.CreateReleaseDocument,
    "\n  mutation PromoteRelease($id: ID!, $expectedStepIndex: Int) {\n    promoteRelease(id: $id, expectedStepIndex: $expectedStepIndex) { ...ReleaseLive }\n  }\n": types.PromoteReleaseDocument,
    "\n  mutation PromoteReleaseFully($id: ID!) { promoteReleaseFully(id: $id) { ...ReleaseLive } }\n": types.PromoteReleaseFullyDocument,
    "\n  mutation PauseRelease($id: ID!) { pauseRelease(id: $id) { ...ReleaseLive } }\n": types.PauseReleaseDocument,
    "\n  mutation ResumeRelease($id: ID!) { resumeRelease(id: $id) { ...ReleaseLive } }\n": types.ResumeReleaseDocument,
    "\n  mutation AbortRelease($id: ID!, $reason: String) { abortRelease(id: $id, reason: $reason) { ...ReleaseLive } }\n": types.AbortReleaseDocument,
    "\n  fragment ReleaseLive on Release {\n    id version image strategy status statusMessage currentStepIndex declaredWeight appliedWeight\n    isRollback createdAt finishedAt\n    createdBy { id login }\n    steps { index weight untilPromoted pauseSeconds status }\n  }\n": types.ReleaseLiveFragmentDoc,
    "\n  mutation RollbackEnvironment($environmentId: ID!, $toReleaseId: ID) {\n    rollbackEnvironment(environmentId: $environmentId, toReleaseId: $toReleaseId) { id version }\n  }\n": types.RollbackEnvironmentDocument,
    "\n  subscription ReleaseProgress($id: ID!, $after: String) {\n    releaseProgress(releaseId: $id, after: $after) {\n      cursor sequence at type message stepIndex weight readyReplicas\n      release { ...ReleaseLive }\n    }\n  }\n": types.ReleaseProgressDocument,
    "\n  fragment WorkloadFields on Workload {\n    desiredReplicas readyReplicas declaredReplicas stableReplicas drift\n    versions { deployment version image desiredReplicas replicas readyReplicas trafficWeight }\n    pods { name version phase ready restarts startedAt }\n  }\n": types.WorkloadFieldsFragmentDoc,
    "\n  subscription WorkloadChanged($id: ID!) { workloadChanged(environmentId: $id) { ...WorkloadFields } }\n": types.WorkloadChangedDocument,
    "\n  subscription PodEvents($id: ID!) { podEvents(environmentId: $id) { type pod { name phase ready restarts } } }\n": types.PodEventsDocument,
    "\n  query AppPage($slug: String!, $app: String!) {\n    viewer { id isAdmin }\n    project(slug: $slug) {\n      id name viewerRole\n      app(name: $app) {\n        id name language repoUrl description\n        environments {\n          id name namespace replicas protected\n          cluster { name status }\n          currentRelease { id version image }\n          activeRelease { id version status }\n        }\n        builds(first: 10) { totalCount nodes { id number status ref commit createdAt finishedAt createdBy { id login } } }\n      }\n    }\n  }\n": types.AppPageDocument,
    "\n  mutation CreateEnvironment($input: CreateEnvironmentInput!) {\n    createEnvironment(input: $input) { id name }\n  }\n": types.CreateEnvironmentDocument,
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
export function graphql(source: "\n  query Viewer {\n    viewer { id login name isAdmin }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer { id login name isAdmin }\n  }\n"];
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
export function graphql(source: "\n  query AppPage($slug: String!, $app: String!) {\n    viewer { id isAdmin }\n    project(slug: $slug) {\n      id name viewerRole\n      app(name: $app) {\n        id name language repoUrl description\n        environments {\n          id name namespace replicas protected\n          cluster { name status }\n          currentRelease { id version image }\n          activeRelease { id version status }\n        }\n        builds(first: 10) { totalCount nodes { id number status ref commit createdAt finishedAt createdBy { id login } } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AppPage($slug: String!, $app: String!) {\n    viewer { id isAdmin }\n    project(slug: $slug) {\n      id name viewerRole\n      app(name: $app) {\n        id name language repoUrl description\n        environments {\n          id name namespace replicas protected\n          cluster { name status }\n          currentRelease { id version image }\n          activeRelease { id version status }\n        }\n        builds(first: 10) { totalCount nodes { id number status ref commit createdAt finishedAt createdBy { id login } } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateEnvironment($input: CreateEnvironmentInput!) {\n    createEnvironment(input: $input) { id name }\n  }\n"): (typeof documents)["\n  mutation CreateEnvironment($input: CreateEnvironmentInput!) {\n    createEnvironment(input: $input) { id name }\n  }\n"];
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