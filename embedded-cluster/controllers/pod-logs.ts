/**
 * What simulated containers print: a few startup lines, one request line per tick while
 * running, and an exit message. Lines carry the app's own timestamp, like structured logs.
 */
import { randomBytes } from 'node:crypto';
import type { ContainerLogs } from '../logs.ts';
import type { KubeObject } from '../objects.ts';
import { behaviourOf, type ContainerSpec } from './pod-status.ts';

const PATHS = ['/api/items', '/api/orders', '/healthz', '/api/users', '/metrics'];

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

/** One request line, written periodically while the container runs. */
export function writeRequestLog(logs: ContainerLogs, pod: KubeObject, container: string, now: Date): void {
  const bytes = randomBytes(5);
  const path = PATHS[(bytes[0] ?? 0) % PATHS.length] ?? '/';
  const duration = 1 + ((bytes[1] ?? 0) % 120);
  emit(logs, pod, container, 'INFO', `handled request id=${bytes.toString('hex')} method=GET path=${path} status=200 duration_ms=${duration}`, now);
}

/** The last line of a container, then its followers are ended. */
export function writeExitLogs(logs: ContainerLogs, pod: KubeObject, container: string, exitCode: number, now: Date): void {
  if (exitCode === 0) emit(logs, pod, container, 'INFO', 'work finished, exiting with code 0', now);
  else emit(logs, pod, container, 'ERROR', `fatal error, exiting with code ${exitCode}`, now);
  logs.endFollowers(pod.metadata.uid ?? '', container);
}
