/**
 * The embedded Kubernetes API server: an in-process stand-in for a real cluster, speaking
 * the real REST and watch protocol so client-node and kubectl work against it unchanged.
 */
export { startEmbeddedCluster, type EmbeddedCluster, type EmbeddedClusterOptions } from './cluster.ts';
export { createScaledClock, type SimulationClock, type TimerHandle } from './clock.ts';
export { DEFAULT_POD_TIMINGS, type PodTimings } from './controllers/context.ts';
export { ApiError, STATUS_REASONS, type StatusObject, type StatusReason } from './errors.ts';
export { FaultInjector, type ListFailureCode } from './faults.ts';
export type { KubeObject, ObjectMeta, OwnerReference } from './objects.ts';
export { RESOURCE_TYPES, resolveResource, type ResourceRef, type ResourceType } from './resources.ts';
export type { ResourceApi, ListOptions, ListPage, PatchType, WriteOptions } from './resource-api.ts';
export type { ObjectStore, ListFilter, StoreSnapshot } from './store.ts';
