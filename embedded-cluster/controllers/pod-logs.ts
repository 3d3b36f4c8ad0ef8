/**
 * What simulated containers print: a few startup lines, request lines (access-log.ts) every
 * tick while running, and an exit message. Lines carry the app's own timestamp, like structured logs.
 */
import type { ContainerLogs } from '../logs.ts';
import type { KubeObject } from '../objects.ts';
import { requestLines, trafficProfileOf } from './access-log.ts';
import { behaviourOf, type ContainerSpec } from './pod-status.ts';

function appName(pod: KubeObject, container: string): string {
  const labels = pod.metadata.labels ?? {};
  return labels['app'] ?? labels['app.kubernetes.io/name'] ?? container;
}

function emit(logs: ContainerLogs, pod: KubeObject, container: string, level: string, message: string, now: Date): void {
  logs.append(pod.metadata.uid ?? '', container, `${now.toISOString()} ${level} ${appName(pod, container)} ${message}`, now);
}

/** Lines a container prints when it starts. */
export function writeStartupLogs(logs: ContainerLogs, pod: KubeObject, container: ContainerSpec, now: Date): void {
  emit(logs, pod, container.name, 'INFO', `starting image=${container.image ?? ''}`, now);
  if (behaviourOf(container.image) === 'crashloop') {
    emit(logs, pod, container.name, 'ERROR', 'failed to load configuration: simulated crash', now);
    return;
  }
  emit(logs, pod, container.name, 'INFO', 'listening on :8080', now);
}

/**
 * `requests` requests' lines (access lines, with a stack trace now and then), written every
 * log interval while the container runs; status codes and latencies follow the image's tag.
 */
export function writeRequestLog(logs: ContainerLogs, pod: KubeObject, container: string, image: string | undefined, now: Date, requests = 1): void {
  const uid = pod.metadata.uid ?? '';
  const profile = trafficProfileOf(image);
  const app = appName(pod, container);
  for (let i = 0; i < requests; i++) {
    for (const line of requestLines(`${uid}/${container}`, app, profile, now, i)) logs.append(uid, container, line, now);
  }
}

/** The last line of a container, then its followers are ended. */
export function writeExitLogs(logs: ContainerLogs, pod: KubeObject, container: string, exitCode: number, now: Date): void {
  if (exitCode === 0) emit(logs, pod, container, 'INFO', 'work finished, exiting with code 0', now);
  else emit(logs, pod, container, 'ERROR', `fatal error, exiting with code ${exitCode}`, now);
  logs.endFollowers(pod.metadata.uid ?? '', container);
}
