/**
 * The Prometheus text a real cluster exposes, rendered from the simulation: cAdvisor's
 * container metrics, kube-state-metrics' pod metrics and the Istio sidecars' request metrics
 * (one scrape for the whole cluster, each series carrying `namespace` and `pod` as the
 * per-pod scrapes of a real setup would), and a simulated app's own metrics endpoint.
 */
import type { KubeObject } from '../objects.ts';
import type { ObjectStore } from '../store.ts';
import { isPodReady, podParts } from '../controllers/pod-status.ts';
import { ISTIO_DURATION_BUCKETS_MS } from './behaviour.ts';
import type { PodCounters } from './traffic.ts';

const NAME = 'app.kubernetes.io/name';
const VERSION = 'app.kubernetes.io/version';
/** Memory a container may use when its spec sets no limit (what the simulated nodes allot). */
export const DEFAULT_MEMORY_LIMIT_BYTES = 512 * 1024 * 1024;

type Labels = Record<string, string>;

/** `{a="x",b="y"}` with Prometheus' escaping of `\`, `"` and newlines. */
function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** Collects samples per metric family so each family's HELP/TYPE header comes once, as the format requires. */
class Families {
  private readonly families = new Map<string, { help: string; type: string; lines: string[] }>();

  add(family: string, type: string, help: string, name: string, labels: Labels, value: number): void {
    let entry = this.families.get(family);
    if (!entry) this.families.set(family, (entry = { help, type, lines: [] }));
    entry.lines.push(`${name}${labelText(labels)} ${Number.isFinite(value) ? value : 0}`);
  }

  render(): string {
    let out = '';
    for (const [family, { help, type, lines }] of this.families) out += `# HELP ${family} ${help}\n# TYPE ${family} ${type}\n${lines.join('\n')}\n`;
    return out;
  }
}

/** Bytes from a Kubernetes quantity (`256Mi`, `1G`, `1048576`); undefined when unreadable. */
export function quantityBytes(quantity: unknown): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|k|M|G|T)?$/.exec(String(quantity ?? ''));
  if (!match) return undefined;
  const units: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, K: 1e3, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(match[1]) * (match[2] ? units[match[2]]! : 1);
}

function memoryLimitOf(pod: KubeObject, container: string): number | undefined {
  const spec = (pod['spec'] as { containers?: { name: string; resources?: { limits?: { memory?: unknown } } }[] } | undefined)?.containers?.find((c) => c.name === container);
  return quantityBytes(spec?.resources?.limits?.memory);
}

/** Working set of a simulated container: a base plus what its traffic keeps in flight. */
function workingSetBytes(counters: PodCounters): number {
  return 96 * 1024 * 1024 + Math.round(counters.recentRps * 512 * 1024);
}

/** The whole cluster's cAdvisor, kube-state-metrics and Istio series. */
export function renderClusterMetrics(store: ObjectStore, pods: readonly PodCounters[]): string {
  const f = new Families();
  const byUid = new Map(pods.map((c) => [c.pod.metadata.uid ?? '', c]));
  for (const pod of store.list('pods')) {
    const namespace = pod.metadata.namespace ?? 'default';
    const name = pod.metadata.name;
    const { spec, status } = podParts(pod);
    const podLabels: Labels = { namespace, pod: name };
    const kubeLabels: Labels = { ...podLabels, uid: pod.metadata.uid ?? '' };
    for (const [key, value] of Object.entries(pod.metadata.labels ?? {})) kubeLabels[`label_${key.replace(/[^a-zA-Z0-9_]/g, '_')}`] = value;
    f.add('kube_pod_labels', 'gauge', 'Kubernetes labels converted to Prometheus labels.', 'kube_pod_labels', kubeLabels, 1);
    f.add('kube_pod_status_ready', 'gauge', 'Describes whether the pod is ready to serve requests.', 'kube_pod_status_ready', { ...podLabels, condition: 'true' }, isPodReady(pod) ? 1 : 0);
    for (const container of status.containerStatuses ?? []) {
      const labels = { ...podLabels, container: container.name };
      f.add('kube_pod_container_status_restarts_total', 'counter', 'The number of container restarts per container.', 'kube_pod_container_status_restarts_total', labels, container.restartCount);
      const limit = memoryLimitOf(pod, container.name);
      if (limit !== undefined) {
        f.add('kube_pod_container_resource_limits', 'gauge', 'The number of requested limit resource by a container.', 'kube_pod_container_resource_limits', { ...labels, resource: 'memory', unit: 'byte' }, limit);
      }
    }
    const counters = byUid.get(pod.metadata.uid ?? '');
    if (!counters) continue;
    for (const container of spec.containers ?? []) {
      const labels = { ...podLabels, container: container.name, image: container.image ?? '' };
      f.add('container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed in seconds.', 'container_cpu_usage_seconds_total', labels, counters.cpuSeconds.get(container.name) ?? 0);
      f.add('container_memory_working_set_bytes', 'gauge', 'Current working set in bytes.', 'container_memory_working_set_bytes', labels, workingSetBytes(counters));
      f.add('container_spec_memory_limit_bytes', 'gauge', 'Memory limit for the container.', 'container_spec_memory_limit_bytes', labels, memoryLimitOf(pod, container.name) ?? DEFAULT_MEMORY_LIMIT_BYTES);
    }
    renderIstio(f, counters, namespace);
  }
  return f.render();
}

/** A destination sidecar's `istio_requests_total` and `istio_request_duration_milliseconds`. */
function renderIstio(f: Families, counters: PodCounters, namespace: string): void {
  const pod = counters.pod;
  const labels = pod.metadata.labels ?? {};
  const app = labels[NAME] ?? 'unknown';
  const version = labels[VERSION] ?? 'unknown';
  const workload = labels['gantry.io/deployment'] ?? pod.metadata.name.replace(/-[a-z0-9]+-[a-z0-9]+$/, '');
  const base: Labels = {
    namespace,
    pod: pod.metadata.name,
    reporter: 'destination',
    source_workload: 'istio-ingressgateway',
    source_workload_namespace: 'istio-system',
    source_app: 'istio-ingressgateway',
    destination_workload: workload,
    destination_workload_namespace: namespace,
    destination_app: app,
    destination_version: version,
    destination_service: `${app}.${namespace}.svc.cluster.local`,
    destination_service_name: app,
    destination_service_namespace: namespace,
    destination_canonical_service: app,
    destination_canonical_revision: version,
    request_protocol: 'http',
    connection_security_policy: 'mutual_tls',
  };
  const codes = counters.responses.size ? [...counters.responses] : [['200', 0] as [string, number]];
  for (const [code, count] of codes) {
    f.add('istio_requests_total', 'counter', 'Requests handled by the destination sidecar.', 'istio_requests_total', { ...base, response_code: code, response_flags: '-' }, count);
  }
  const histogram = { ...base, response_code: '200', response_flags: '-' };
  const family = 'istio_request_duration_milliseconds';
  let cumulative = 0;
  ISTIO_DURATION_BUCKETS_MS.forEach((le, i) => {
    cumulative += counters.buckets[i] ?? 0;
    f.add(family, 'histogram', 'Request durations seen by the destination sidecar.', `${family}_bucket`, { ...histogram, le: String(le) }, cumulative);
  });
  cumulative += counters.buckets[ISTIO_DURATION_BUCKETS_MS.length] ?? 0;
  f.add(family, 'histogram', '', `${family}_bucket`, { ...histogram, le: '+Inf' }, cumulative);
  f.add(family, 'histogram', '', `${family}_sum`, histogram, counters.durationSumMs);
  f.add(family, 'histogram', '', `${family}_count`, histogram, cumulative);
}

/** What a simulated app serves on its own metrics endpoint. */
export function renderAppMetrics(counters: PodCounters): string {
  const f = new Families();
  const image = podParts(counters.pod).spec.containers?.[0]?.image ?? '';
  const version = counters.pod.metadata.labels?.[VERSION] ?? 'unknown';
  let total = 0;
  let errors = 0;
  for (const [code, count] of counters.responses) {
    total += count;
    if (code.startsWith('5')) errors += count;
  }
  f.add('app_build_info', 'gauge', 'The running build.', 'app_build_info', { image, build_version: version }, 1);
  f.add('app_requests_total', 'counter', 'Requests the app handled.', 'app_requests_total', {}, total);
  f.add('app_request_errors_total', 'counter', 'Requests the app failed.', 'app_request_errors_total', {}, errors);
  f.add('app_queue_depth', 'gauge', 'Work items waiting.', 'app_queue_depth', {}, Math.round(counters.recentRps / 2));
  f.add('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', 'process_resident_memory_bytes', {}, workingSetBytes(counters));
  return f.render();
}
