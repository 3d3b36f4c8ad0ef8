/**
 * What every simulated controller is given, and the interface they implement.
 */
import type { SimulationClock } from '../clock.ts';
import type { ChangeEvent } from '../history.ts';
import type { ContainerLogs } from '../logs.ts';
import type { ResourceApi } from '../resource-api.ts';
import type { ObjectStore } from '../store.ts';
import type { EventSink } from './events.ts';

/** Simulated durations (milliseconds of simulated time) of the pod lifecycle. */
export interface PodTimings {
  /** Pending → scheduled to a node. */
  scheduleMs: number;
  /** Scheduled → containers running (image pull, create, start). */
  startMs: number;
  /** Running → Ready. */
  readyMs: number;
  /** How long a `crashloop` container runs before it crashes. */
  crashAfterMs: number;
  /** First crash back-off; doubles per restart up to `maxBackOffMs`, as the kubelet does. */
  backOffMs: number;
  maxBackOffMs: number;
  /** How long a Job pod runs before it exits. */
  jobRunMs: number;
  /** How long a deleted pod takes to stop (capped by its grace period). */
  terminationMs: number;
  /** Interval between the request log lines a running container writes. */
  logIntervalMs: number;
  /** Requests each running container logs per interval (one access line each, a few more for a stack trace): the log rate. */
  logRequestsPerInterval: number;
}

/** Defaults close to a small real cluster with cached images. */
export const DEFAULT_POD_TIMINGS: PodTimings = {
  scheduleMs: 300,
  startMs: 1500,
  readyMs: 1000,
  crashAfterMs: 2000,
  backOffMs: 10_000,
  maxBackOffMs: 300_000,
  jobRunMs: 3000,
  terminationMs: 1000,
  logIntervalMs: 2000,
  logRequestsPerInterval: 1,
};

/** Shared dependencies of the controllers. */
export interface ControllerContext {
  store: ObjectStore;
  api: ResourceApi;
  clock: SimulationClock;
  events: EventSink;
  logs: ContainerLogs;
  timings: PodTimings;
}

/** A simulated controller: reacts to changes, can re-derive everything from the store, can stop. */
export interface Controller {
  /** Called synchronously for every committed change; must only queue work. */
  handle(event: ChangeEvent): void;
  /** Re-examines every object it owns (on start and after a restart). */
  resync(): void;
  stop(): void;
}
