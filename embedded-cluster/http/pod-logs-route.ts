/**
 * `GET …/pods/<name>/log`: container logs with `container`, `follow`, `tailLines`,
 * `sinceSeconds`, `sinceTime`, `timestamps`, `previous` and `limitBytes`, as the kubelet serves them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest } from '../errors.ts';
import { formatLogLine, type ContainerLogs, type LogReadOptions } from '../logs.ts';
import type { KubeObject } from '../objects.ts';
import type { ObjectStore } from '../store.ts';
import { podParts } from '../controllers/pod-status.ts';

function optionalInteger(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw badRequest(`invalid ${name}: ${value}`);
  return parsed;
}

/**
 * Picks the container to read: the `container` parameter, or the only container.
 * @throws ApiError 400 when ambiguous, unknown, or not started yet.
 */
function chooseContainer(pod: KubeObject, requested: string | null): string {
  const { spec, status } = podParts(pod);
  const names = (spec.containers ?? []).map((container) => container.name);
  const podName = pod.metadata.name;
  if (!requested) {
    if (names.length !== 1) throw badRequest(`a container name must be specified for pod ${podName}, choose one of: [${names.join(' ')}]`);
    requested = names[0] ?? '';
  }
  if (!names.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${podName}`);
  const containerStatus = status.containerStatuses?.find((item) => item.name === requested);
  if (!containerStatus) throw badRequest(`container "${requested}" in pod "${podName}" is waiting to start: ContainerCreating`);
  return requested;
}

/**
 * Serves a log request. With `follow=true` the response stays open and streams new lines
 * until the container stops, the pod is deleted, or the client goes away.
 * @throws ApiError 404 for a missing pod, 400 for bad parameters.
 */
export function servePodLogs(store: ObjectStore, logs: ContainerLogs, namespace: string, name: string, query: URLSearchParams, request: IncomingMessage, response: ServerResponse): void {
  const pod = store.require('pods', namespace, name);
  const container = chooseContainer(pod, query.get('container'));
  const uid = pod.metadata.uid ?? '';
  const sinceSeconds = optionalInteger(query, 'sinceSeconds');
  const sinceTime = query.get('sinceTime');
  const options: LogReadOptions = {
    tailLines: optionalInteger(query, 'tailLines'),
    timestamps: query.get('timestamps') === 'true',
    previous: query.get('previous') === 'true',
    limitBytes: optionalInteger(query, 'limitBytes'),
  };
  if (sinceSeconds !== undefined) options.sinceEpochMs = Date.now() - sinceSeconds * 1000;
  else if (sinceTime) options.sinceEpochMs = Date.parse(sinceTime);

  let budget = options.limitBytes ?? Number.POSITIVE_INFINITY;
  const write = (text: string): boolean => {
    if (budget <= 0) return false;
    const chunk = Buffer.byteLength(text) > budget ? Buffer.from(text).subarray(0, budget).toString() : text;
    budget -= Buffer.byteLength(chunk);
    response.write(chunk);
    return budget > 0;
  };

  response.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
  for (const line of logs.read(uid, container, options)) if (!write(formatLogLine(line, options.timestamps))) break;

  const running = podParts(pod).status.containerStatuses?.find((item) => item.name === container)?.state['running'];
  if (query.get('follow') !== 'true' || options.previous || !running || budget <= 0) {
    response.end();
    return;
  }
  response.flushHeaders();
  const unsubscribe = logs.follow(uid, container, {
    line: (line) => {
      if (!write(formatLogLine(line, options.timestamps))) stop();
    },
    end: () => stop(),
    drop: () => {
      unsubscribe();
      response.destroy();
    },
  });
  const stop = (): void => {
    unsubscribe();
    if (!response.writableEnded) response.end();
  };
  request.on('close', stop);
}
