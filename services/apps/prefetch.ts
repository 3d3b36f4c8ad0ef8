import { currentReleaseOf } from '../releases/reads.ts';
import type { ReleaseView } from '../releases/repository.ts';
import type { RequestScope } from '../scope.ts';
import { CONNECTION_ITEMS, perFieldNode, selectedFieldInfo, type SelectionInfo } from '../shared/selection.ts';
import { environmentColumns, releaseSummaryColumns } from './columns.ts';
import type { AppRow, EnvironmentColumn, EnvironmentRow } from './repository.ts';
import type { ReleaseSummaryColumn } from '../releases/repository.ts';
import { environmentsOfApp } from './service.ts';

/*
 * A page of apps with their environments and each one's current release, read ahead by the
 * `Project.apps` resolver so that `App.environments` and `Environment.currentRelease` answer
 * synchronously. Each of those fields returned a DataLoader promise, so graphql-js awaited 60
 * promises for the dashboard, and built each app and environment object through Promise.all;
 * the reads themselves are the same (the same loaders, the same columns, one statement per
 * level), only the waiting moves up to one resolver.
 */

interface Ahead<C, V> {
  /** The columns it was read with: a field whose selection asks for others reads again. */
  columns: readonly C[] | null;
  value: V;
}

/**
 * A request's rows read ahead, by parent row (`scope.loaders.readAhead`): per request like the
 * loaders whose rows they are. Maps, not module-wide WeakMaps: 60 ephemeron entries a request
 * cost more to set and to collect than the promises they replace.
 */
export interface ReadAheadStore {
  environments: Map<AppRow, Ahead<EnvironmentColumn, EnvironmentRow[]>>;
  currentRelease: Map<EnvironmentRow, Ahead<ReleaseSummaryColumn, ReleaseView | null>>;
}

/** What `Project.apps`' selection reads below its items: the two fields' infos, when each is selected once. */
interface Plan {
  environments: SelectionInfo;
  environmentColumns: readonly EnvironmentColumn[] | null;
  currentRelease: { columns: readonly ReleaseSummaryColumn[] | null } | null;
}

const planOf = perFieldNode((info: SelectionInfo): Plan | null => {
  const environments = selectedFieldInfo(info, 'environments', CONNECTION_ITEMS);
  if (!environments) return null;
  const currentRelease = selectedFieldInfo(environments, 'currentRelease');
  return {
    environments,
    environmentColumns: environmentColumns(environments),
    currentRelease: currentRelease ? { columns: releaseSummaryColumns(currentRelease) } : null,
  };
});

/**
 * Reads the environments (and their current releases) of `apps` for the selection of the
 * `Project.apps` field whose `info` this is; does nothing when that selection does not ask for
 * them in one place. A failed read is left to the fields (the loaders keep its rejection), so
 * an error is reported where it was before, on the field that reads it.
 */
export async function readAhead(scope: RequestScope, apps: readonly AppRow[], info: SelectionInfo): Promise<void> {
  const plan = apps.length > 0 ? planOf(info) : null;
  if (!plan) return;
  try {
    await readPlan(scope, apps, plan);
  } catch {
    // the fields read again, from the loaders' cache, and fail where they should
  }
}

async function readPlan(scope: RequestScope, apps: readonly AppRow[], plan: Plan): Promise<void> {
  const lists = await Promise.all(apps.map((app) => environmentsOfApp(scope, app.id, plan.environmentColumns)));
  const store = scope.loaders.readAhead;
  for (let i = 0; i < apps.length; i++) store.environments.set(apps[i]!, { columns: plan.environmentColumns, value: lists[i]! });
  const releases = plan.currentRelease;
  if (!releases) return;
  const environments = lists.flat();
  const rows = await Promise.all(environments.map((environment) => currentReleaseOf(scope, environment, releases.columns)));
  for (let i = 0; i < environments.length; i++) store.currentRelease.set(environments[i]!, { columns: releases.columns, value: rows[i] ?? null });
}

/** The app's environments if read ahead with `columns`, else undefined (read them). */
export function environmentsReadAhead(scope: RequestScope, app: AppRow, columns: readonly EnvironmentColumn[] | null): EnvironmentRow[] | undefined {
  const ahead = scope.loaders.readAhead.environments.get(app);
  return ahead && sameColumns(ahead.columns, columns) ? ahead.value : undefined;
}

/** The environment's current release if read ahead with `columns` (null: it has none), else undefined. */
export function currentReleaseReadAhead(scope: RequestScope, environment: EnvironmentRow, columns: readonly ReleaseSummaryColumn[] | null): ReleaseView | null | undefined {
  const ahead = scope.loaders.readAhead.currentRelease.get(environment);
  return ahead && sameColumns(ahead.columns, columns) ? ahead.value : undefined;
}

function sameColumns<C>(a: readonly C[] | null, b: readonly C[] | null): boolean {
  if (a === b) return true;
  if (a === null || b === null || a.length !== b.length) return false;
  return a.every((column, i) => column === b[i]);
}
