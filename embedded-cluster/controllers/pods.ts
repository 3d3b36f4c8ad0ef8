/**
 * The simulated scheduler and kubelet: moves each pod through Pending → scheduled →
 * Running → Ready, crash-loops and completes containers according to their image tags,
 * writes container logs, records events, and removes pods once their graceful deletion ends.
 */
import { randomBytes } from 'node:crypto';
import type { TimerHandle } from '../clock.ts';
import type { ChangeEvent } from '../history.ts';
import { toKubeTime, type KubeObject } from '../objects.ts';
import type { Controller, ControllerContext } from './context.ts';
import {
  behaviourOf,
  exitedContainer,
  NODE_NAMES,
  nodeIp,
  podParts,
  runningContainer,
  withCondition,
  withReadiness,
  type ContainerStatus,
  type PodStatus,
} from './pod-status.ts';
import { writeExitLogs, writeRequestLog, writeStartupLogs } from './pod-logs.ts';

type Step = 'schedule' | 'start' | 'ready' | 'crash' | 'restart' | 'complete' | 'terminate';

interface PendingStep {
  step: Step;
  timer: TimerHandle;
}

/** Drives every pod's lifecycle. */
export class PodLifecycleController implements Controller {
  private readonly pending = new Map<string, PendingStep>();
  private readonly keys = new Map<string, { namespace: string; name: string }>();
  private readonly logTicker: TimerHandle;
  private nextNode = 0;

  constructor(private readonly context: ControllerContext) {
    this.logTicker = context.clock.every(context.timings.logIntervalMs, () => this.writeRequestLogs());
  }

  handle(event: ChangeEvent): void {
    if (event.resource.id !== 'pods') return;
    const uid = event.object.metadata.uid ?? '';
    if (event.type === 'DELETED') {
      this.pending.get(uid)?.timer.cancel();
      this.pending.delete(uid);
      this.keys.delete(uid);
      this.context.logs.dropPod(uid);
      return;
    }
    if (event.object.metadata.deletionTimestamp && !event.previous?.metadata.deletionTimestamp) this.recordKilling(event.object);
    this.plan(event.object);
  }

  resync(): void {
    for (const pod of this.context.store.list('pods')) this.plan(pod);
  }

  stop(): void {
    this.logTicker.cancel();
    for (const { timer } of this.pending.values()) timer.cancel();
    this.pending.clear();
  }

  /** Decides the pod's next step and (re)arms its timer when the step changed. */
  private plan(pod: KubeObject): void {
    const uid = pod.metadata.uid ?? '';
    this.keys.set(uid, { namespace: pod.metadata.namespace ?? '', name: pod.metadata.name });
    const next = this.nextStep(pod);
    const current = this.pending.get(uid);
    if (current?.step === next?.step) return;
    current?.timer.cancel();
    this.pending.delete(uid);
    if (!next) return;
    const timer = this.context.clock.after(next.delayMs, () => {
      this.pending.delete(uid);
      this.run(uid, next.step);
    });
    this.pending.set(uid, { step: next.step, timer });
  }

  private nextStep(pod: KubeObject): { step: Step; delayMs: number } | undefined {
    const { timings } = this.context;
    const { spec, status } = podParts(pod);
    if (pod.metadata.deletionTimestamp) {
      const graceMs = (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
      return { step: 'terminate', delayMs: Math.min(graceMs, timings.terminationMs) };
    }
    if (status.phase === 'Succeeded' || status.phase === 'Failed') return undefined;
    if (!spec.nodeName) return { step: 'schedule', delayMs: timings.scheduleMs };
    const containers = status.containerStatuses ?? [];
    if (containers.length === 0) return { step: 'start', delayMs: timings.startMs };
    if (spec.restartPolicy && spec.restartPolicy !== 'Always') {
      return containers.some((c) => c.state['running']) ? { step: 'complete', delayMs: timings.jobRunMs } : undefined;
    }
    const waiting = containers.find((c) => c.state['waiting']?.['reason'] === 'CrashLoopBackOff');
    if (waiting) {
      const backOff = Math.min(timings.backOffMs * 2 ** Math.max(0, waiting.restartCount - 1), timings.maxBackOffMs);
      return { step: 'restart', delayMs: backOff };
    }
    if (containers.some((c) => c.state['running'] && crashes(c))) return { step: 'crash', delayMs: timings.crashAfterMs };
    if (containers.some((c) => c.state['running'] && !c.ready && behaviourOf(c.image) === 'normal')) {
      return { step: 'ready', delayMs: timings.readyMs };
    }
    return undefined;
  }

  private run(uid: string, step: Step): void {
    const key = this.keys.get(uid);
    const pod = key && this.context.store.get('pods', key.namespace, key.name);
    if (!pod || pod.metadata.uid !== uid) return;
    if (step === 'terminate') {
      if (!pod.metadata.finalizers?.length) this.context.store.remove('pods', key.namespace, key.name);
      return;
    }
    const now = this.context.clock.now();
    const { spec, status } = podParts(pod);
    let next: PodStatus = status;
    let nodeName = spec.nodeName;
    switch (step) {
      case 'schedule':
        nodeName = NODE_NAMES[this.nextNode++ % NODE_NAMES.length] ?? NODE_NAMES[0];
        next = { ...status, conditions: withCondition(status.conditions, 'PodScheduled', 'True', now) };
        this.context.events.record(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${nodeName}`, 'default-scheduler');
        break;
      case 'start':
        next = this.start(pod, status, now);
        break;
      case 'ready':
        next = withReadiness({ ...status, containerStatuses: (status.containerStatuses ?? []).map((c) => (c.state['running'] && behaviourOf(c.image) === 'normal' ? { ...c, ready: true } : c)) }, now);
        break;
      case 'crash':
        next = this.crash(pod, status, now);
        break;
      case 'restart':
        next = this.restart(pod, status, now);
        break;
      case 'complete':
        next = this.complete(pod, status, now);
        break;
    }
    const updated: KubeObject = { ...pod, metadata: { ...pod.metadata }, status: next };
    if (nodeName !== spec.nodeName) updated['spec'] = { ...spec, nodeName };
    this.context.store.update('pods', updated);
  }

  private start(pod: KubeObject, status: PodStatus, now: Date): PodStatus {
    const { spec } = podParts(pod);
    const containerStatuses: ContainerStatus[] = [];
    for (const container of spec.containers ?? []) {
      const fieldPath = `spec.containers{${container.name}}`;
      const image = container.image ?? '';
      this.context.events.record(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, 'kubelet', fieldPath);
      this.context.events.record(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in 1.2s (1.2s including waiting). Image size: 52428800 bytes.`, 'kubelet', fieldPath);
      this.context.events.record(pod, 'Normal', 'Created', `Created container: ${container.name}`, 'kubelet', fieldPath);
      this.context.events.record(pod, 'Normal', 'Started', `Started container ${container.name}`, 'kubelet', fieldPath);
      containerStatuses.push(runningContainer(container, now));
      writeStartupLogs(this.context.logs, pod, container, now);
    }
    const hostIP = nodeIp(spec.nodeName ?? '');
    const podIP = `10.244.${NODE_NAMES.indexOf(spec.nodeName as (typeof NODE_NAMES)[number]) + 1}.${randomBytes(1)[0] ?? 2}`;
    let conditions = withCondition(status.conditions, 'PodReadyToStartContainers', 'True', now);
    conditions = withCondition(conditions, 'Initialized', 'True', now);
    return withReadiness(
      { ...status, phase: 'Running', conditions, hostIP, hostIPs: [{ ip: hostIP }], podIP, podIPs: [{ ip: podIP }], startTime: toKubeTime(now), containerStatuses, qosClass: 'BestEffort' },
      now,
    );
  }

  private crash(pod: KubeObject, status: PodStatus, now: Date): PodStatus {
    const podRef = `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
    const containerStatuses = (status.containerStatuses ?? []).map((container) => {
      if (!container.state['running'] || !crashes(container)) return container;
      writeExitLogs(this.context.logs, pod, container.name, 1, now);
      const backOffSeconds = Math.round(Math.min(this.context.timings.backOffMs * 2 ** container.restartCount, this.context.timings.maxBackOffMs) / 1000);
      this.context.events.record(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${container.name} in pod ${podRef}`, 'kubelet', `spec.containers{${container.name}}`);
      return exitedContainer(container, 1, now, { backOffSeconds, podRef });
    });
    return withReadiness({ ...status, containerStatuses }, now);
  }

  private restart(pod: KubeObject, status: PodStatus, now: Date): PodStatus {
    const { spec } = podParts(pod);
    const containerStatuses = (status.containerStatuses ?? []).map((container) => {
      if (container.state['waiting']?.['reason'] !== 'CrashLoopBackOff') return container;
      const containerSpec = spec.containers?.find((c) => c.name === container.name) ?? { name: container.name, image: container.image };
      const fieldPath = `spec.containers{${container.name}}`;
      this.context.events.record(pod, 'Normal', 'Pulled', `Container image "${container.image}" already present on machine`, 'kubelet', fieldPath);
      this.context.events.record(pod, 'Normal', 'Created', `Created container: ${container.name}`, 'kubelet', fieldPath);
      this.context.events.record(pod, 'Normal', 'Started', `Started container ${container.name}`, 'kubelet', fieldPath);
      this.context.logs.restart(pod.metadata.uid ?? '', container.name);
      writeStartupLogs(this.context.logs, pod, containerSpec, now);
      return runningContainer(containerSpec, now, container);
    });
    return withReadiness({ ...status, containerStatuses }, now);
  }

  private complete(pod: KubeObject, status: PodStatus, now: Date): PodStatus {
    let failed = false;
    const containerStatuses = (status.containerStatuses ?? []).map((container) => {
      if (!container.state['running']) return container;
      const exitCode = behaviourOf(container.image) === 'fail' ? 1 : 0;
      failed ||= exitCode !== 0;
      writeExitLogs(this.context.logs, pod, container.name, exitCode, now);
      return exitedContainer(container, exitCode, now, undefined);
    });
    const next = withReadiness({ ...status, phase: failed ? 'Failed' : 'Succeeded', containerStatuses }, now);
    next.conditions = withCondition(withCondition(next.conditions, 'Ready', 'False', now, 'PodCompleted'), 'ContainersReady', 'False', now, 'PodCompleted');
    return next;
  }

  private recordKilling(pod: KubeObject): void {
    for (const container of podParts(pod).status.containerStatuses ?? []) {
      if (!container.state['running']) continue;
      this.context.events.record(pod, 'Normal', 'Killing', `Stopping container ${container.name}`, 'kubelet', `spec.containers{${container.name}}`);
    }
  }

  /** One ticker for all pods keeps the cost flat: each running container logs its requests per tick. */
  private writeRequestLogs(): void {
    const now = this.context.clock.now();
    for (const [uid, key] of this.keys) {
      const pod = this.context.store.get('pods', key.namespace, key.name);
      if (!pod || pod.metadata.uid !== uid) continue;
      for (const container of podParts(pod).status.containerStatuses ?? []) {
        if (container.state['running']) writeRequestLog(this.context.logs, pod, container.name, container.image, now, this.context.timings.logRequestsPerInterval);
      }
    }
  }
}

function crashes(container: ContainerStatus): boolean {
  const behaviour = behaviourOf(container.image);
  return behaviour === 'crashloop' || behaviour === 'fail';
}
