import type { ProjectColumn } from '../projects/repository.ts';
import type { ReleaseSummaryColumn } from '../releases/repository.ts';
import { columnsFor, CONNECTION_ITEMS, perFieldNode, selectedFields } from '../shared/selection.ts';
import type { AppColumn, EnvironmentColumn } from './repository.ts';

/*
 * Which columns each field of the project → apps → environments → current release tree reads,
 * so that those reads select only what the query's selection needs (issue 13: "no statement
 * selecting columns the response does not need"). A field is listed with every column its
 * resolver, and each service it hands the row to, reads (resolvers/projects.ts, apps.ts,
 * releases.ts); a field that is not listed (added by another domain, or reading the whole row)
 * makes the read fall back to whole rows, so a new field can never meet a row missing a column.
 * Fields without a resolver read the column of their name.
 */

const PROJECT_FIELDS: Record<string, readonly ProjectColumn[]> = {
  id: ['id'],
  slug: ['slug'],
  name: ['name'],
  createdAt: ['createdAt'],
  viewerRole: ['id'],
  members: ['id'],
  apps: ['id'],
  app: ['id'],
  auditLog: ['id'],
};

const APP_FIELDS: Record<string, readonly AppColumn[]> = {
  id: ['id'],
  name: ['name'],
  language: ['language'],
  repoUrl: ['repoUrl'],
  description: ['description'],
  createdAt: ['createdAt'],
  project: ['projectId'],
  environments: ['id'],
  environment: ['id'],
};

const ENVIRONMENT_FIELDS: Record<string, readonly EnvironmentColumn[]> = {
  id: ['id'],
  name: ['name'],
  namespace: ['namespace'],
  replicas: ['replicas'],
  revisionHistoryLimit: ['revisionHistoryLimit'],
  protected: ['protected'],
  router: ['router'],
  createdAt: ['createdAt'],
  app: ['appId'],
  cluster: ['cluster'],
  currentRelease: ['stableReleaseId'],
  activeRelease: ['id'],
  releases: ['id'],
};

/** A summary without `state` or `number`: `steps` and the weights read the state through their own loader. */
const RELEASE_SUMMARY_FIELDS: Record<string, readonly ReleaseSummaryColumn[]> = {
  id: ['id'],
  environment: ['environmentId'],
  image: ['image'],
  version: ['version'],
  strategy: ['strategy'],
  status: ['status'],
  statusMessage: ['statusMessage'],
  isRollback: ['isRollback'],
  createdBy: ['createdBy'],
  createdAt: ['createdAt'],
  finishedAt: ['finishedAt'],
  events: ['id', 'eventCount'],
  steps: ['id'],
  currentStepIndex: ['id'],
  declaredWeight: ['id'],
  appliedWeight: ['id'],
};

/**
 * Columns for `project(slug:)` (or any field returning one Project); `slug` is the key the
 * by-slug loader matches rows with. @returns null: read whole rows.
 */
export const projectColumns = perFieldNode((info): readonly ProjectColumn[] | null => columnsFor<ProjectColumn>(selectedFields(info), PROJECT_FIELDS, ['id', 'slug']));

/** Columns for `Project.apps` (a connection): `projectId` groups the rows, `name` orders and pages them. */
export const appColumns = perFieldNode((info): readonly AppColumn[] | null => columnsFor<AppColumn>(selectedFields(info, CONNECTION_ITEMS), APP_FIELDS, ['id', 'name', 'projectId']));

/** Columns for `App.environments` (a list); `appId` groups the rows. */
export const environmentColumns = perFieldNode((info): readonly EnvironmentColumn[] | null => columnsFor<EnvironmentColumn>(selectedFields(info), ENVIRONMENT_FIELDS, ['id', 'appId']));

/** Columns for `Environment.currentRelease`. */
export const releaseSummaryColumns = perFieldNode((info): readonly ReleaseSummaryColumn[] | null => columnsFor<ReleaseSummaryColumn>(selectedFields(info), RELEASE_SUMMARY_FIELDS, ['id']));
