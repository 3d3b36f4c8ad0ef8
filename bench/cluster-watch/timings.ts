import type { PodTimings } from '../../embedded-cluster/index.ts';

/**
 * Pod timings for the benchmarks: the simulated kubelet's request-log ticker would otherwise
 * walk every running container 25 times a second at time scale 0.02, loading the process that
 * is being measured with work a real API server does not do.
 */
export const QUIET_POD_TIMINGS: Partial<PodTimings> = { logIntervalMs: 24 * 3600 * 1000 };
