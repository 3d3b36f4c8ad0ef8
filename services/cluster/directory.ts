import type { ClusterStatus } from '../../resolvers/types.generated.ts';
import type { AppChange, AppSnapshot } from './app-index.ts';
import type { FollowPodLogOptions, PodLogFollow } from './log-follow.ts';
import type { Manifest } from './manifests.ts';

/** Identifies one object for reads and deletes. */
export type ObjectRef = Pick<Manifest, 'apiVersion' | 'kind'> & { metadata: { name: string; namespace?: string } };

/** Health of one cluster as the API reports it: the SDL's `enum ClusterStatus`. */
export type { ClusterStatus };

export interface ClusterInfo {
  name: string;
  status: ClusterStatus;
  version: string | null;
  lastSyncAt: Date | null;
}

/**
 * What the rest of the platform may do with one cluster: read its watch caches and hear about
 * changes, per app. Services depend on this port, never on the Kubernetes client.
 */
export interface ClusterPort {
  info(): ClusterInfo;
  /**
   * True once every watch cache completed its first LIST. Until then `snapshot` is empty
   * because nothing is known yet, not because nothing exists: do not act on absence.
   */
  synced(): boolean;
  /** The app's cached objects in a namespace. */
  snapshot(namespace: string, app: string): AppSnapshot;
  /** Calls `listener` for every change to the app's objects; returns the unsubscribe function. */
  watchApp(namespace: string, app: string, listener: (change: AppChange) => void): () => void;
  /** Server-side apply (field manager `gantry`); resolves with the object as stored. Idempotent. */
  apply(manifest: Manifest): Promise<Record<string, any>>;
  /** A fresh GET (not the cache), for reading back what was written; null if absent. */
  read(ref: ObjectRef): Promise<Record<string, any> | null>;
  /** Sets `spec.replicas` (merge patch, leaving the rest as it is). */
  scale(ref: ObjectRef, replicas: number): Promise<void>;
  /** Deletes (background propagation); an absent object counts as deleted. */
  remove(ref: ObjectRef): Promise<void>;
  /** A fresh LIST of one kind in a namespace by label selector (for what the watches do not cache). */
  list(ref: { apiVersion: string; kind: string; namespace: string }, labelSelector: string): Promise<Record<string, any>[]>;
  /** A pod's output so far; null when the pod is gone. */
  podLog(namespace: string, pod: string): Promise<string | null>;
  /**
   * Follows a container's log (`pods/{name}/log?follow=true&timestamps=true`), reconnecting
   * after drops from the last line without repeats, until `keepFollowing` says no or `stop`.
   * Callers keep one follow per pod per process (the log collector does).
   */
  followPodLog(options: Omit<FollowPodLogOptions, 'kubeConfig'>): PodLogFollow;
}

/** Where a cluster comes from: only `registered` ones can be unregistered through the API. */
export type ClusterSource = 'embedded' | 'configured' | 'registered';

/** The clusters Gantry knows. */
export interface ClusterDirectory {
  list(): ClusterInfo[];
  get(name: string): ClusterInfo | null;
  /** The cluster new environments land on when none is named. */
  defaultName(): string;
  /** The live port of a cluster; null when unknown. */
  port(name: string): ClusterPort | null;
  /**
   * Checks a kubeconfig for `registerCluster` and seals it for storage; nothing is connected yet.
   * @returns the ciphertext to store, or why the registration cannot be accepted.
   */
  prepareRegistration(name: string, kubeconfigYaml: string): { sealed: string } | { error: string; field: string };
  /**
   * Starts connecting a cluster whose registration has been committed and returns at once:
   * the watches sync in the background (the status says UNREACHABLE until they do).
   */
  connectRegistered(name: string, kubeconfigYaml: string): Promise<ClusterInfo>;
  /** Where the cluster comes from; null when unknown. */
  sourceOf(name: string): ClusterSource | null;
  /** Stops a registered cluster's watches and forgets it (its stored row is the caller's). */
  unregister(name: string): Promise<void>;
}

export type { AppChange, AppSnapshot, Manifest };
export type { PodLogFollow, PodLogLine, PodLogPosition } from './log-follow.ts';
