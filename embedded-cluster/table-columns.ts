/**
 * The columns `kubectl get` shows per resource type, computed server-side like the real
 * API server's table convertors (READY, STATUS, RESTARTS, UP-TO-DATE, …).
 */
import type { KubeObject } from './objects.ts';
import { formatLabelSelector, type LabelSelector } from './selectors.ts';

/** One column: header, type, priority (1 = only with `-o wide`) and how to compute the cell. */
export interface Column {
  name: string;
  type: 'string' | 'integer' | 'date';
  priority?: number;
  cell(object: KubeObject, now: number): string | number;
}

/** Formats an age like kubectl's `HumanDuration` (`45s`, `3m12s`, `5h`, `2d3h`). */
export function humanDuration(ms: number): string {
  if (ms < 0) return '<invalid>';
  const seconds = Math.floor(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  if (seconds < 120) return `${seconds}s`;
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (days < 365 * 2) return `${days}d`;
  return `${Math.floor(days / 365)}y`;
}

function since(timestamp: unknown, now: number): string {
  const at = typeof timestamp === 'string' ? Date.parse(timestamp) : NaN;
  return Number.isNaN(at) ? '<none>' : humanDuration(now - at);
}

// Cells read many differently shaped specs and statuses; typing each one would triple this file.
type Loose = Record<string, any>;

function parts(object: KubeObject): { spec: Loose; status: Loose } {
  return { spec: (object['spec'] ?? {}) as Loose, status: (object['status'] ?? {}) as Loose };
}

const NAME: Column = { name: 'Name', type: 'string', cell: (object) => object.metadata.name };
const AGE: Column = { name: 'Age', type: 'string', cell: (object, now) => since(object.metadata.creationTimestamp, now) };

function containerNames(template: Loose | undefined): string {
  return ((template?.['spec']?.['containers'] ?? []) as Loose[]).map((c) => c['name']).join(',');
}

function containerImages(template: Loose | undefined): string {
  return ((template?.['spec']?.['containers'] ?? []) as Loose[]).map((c) => c['image']).join(',');
}

/** The STATUS column of `kubectl get pods`: the most telling reason, not just the phase. */
export function podDisplayStatus(pod: KubeObject): string {
  const { status } = parts(pod);
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  let reason: string = status['reason'] ?? status['phase'] ?? 'Unknown';
  if (reason === 'Pending' && !(pod['spec'] as Loose | undefined)?.['nodeName']) return 'Pending';
  for (const container of (status['containerStatuses'] ?? []) as Loose[]) {
    const waiting = container['state']?.['waiting']?.['reason'];
    const terminated = container['state']?.['terminated'];
    if (waiting) reason = waiting;
    else if (terminated) reason = terminated['reason'] ?? (terminated['exitCode'] === 0 ? 'Completed' : 'Error');
  }
  if (reason === 'Pending' && (pod['spec'] as Loose | undefined)?.['nodeName']) return 'ContainerCreating';
  return reason;
}

const POD_COLUMNS: Column[] = [
  NAME,
  {
    name: 'Ready',
    type: 'string',
    cell: (pod) => {
      const statuses = (parts(pod).status['containerStatuses'] ?? []) as Loose[];
      const total = ((parts(pod).spec['containers'] ?? []) as Loose[]).length;
      return `${statuses.filter((c) => c['ready']).length}/${total}`;
    },
  },
  { name: 'Status', type: 'string', cell: (pod) => podDisplayStatus(pod) },
  {
    name: 'Restarts',
    type: 'string',
    cell: (pod, now) => {
      const statuses = (parts(pod).status['containerStatuses'] ?? []) as Loose[];
      const restarts = statuses.reduce((sum, c) => sum + (c['restartCount'] ?? 0), 0);
      const last = statuses.map((c) => c['lastState']?.['terminated']?.['finishedAt']).filter(Boolean).sort().pop();
      return last && restarts > 0 ? `${restarts} (${since(last, now)} ago)` : String(restarts);
    },
  },
  AGE,
  { name: 'IP', type: 'string', priority: 1, cell: (pod) => parts(pod).status['podIP'] ?? '<none>' },
  { name: 'Node', type: 'string', priority: 1, cell: (pod) => parts(pod).spec['nodeName'] ?? '<none>' },
  { name: 'Nominated Node', type: 'string', priority: 1, cell: () => '<none>' },
  { name: 'Readiness Gates', type: 'string', priority: 1, cell: () => '<none>' },
];

const WORKLOAD_WIDE: Column[] = [
  { name: 'Containers', type: 'string', priority: 1, cell: (o) => containerNames(parts(o).spec['template']) },
  { name: 'Images', type: 'string', priority: 1, cell: (o) => containerImages(parts(o).spec['template']) },
  { name: 'Selector', type: 'string', priority: 1, cell: (o) => formatLabelSelector(parts(o).spec['selector'] as LabelSelector) },
];

const DEPLOYMENT_COLUMNS: Column[] = [
  NAME,
  { name: 'Ready', type: 'string', cell: (o) => `${parts(o).status['readyReplicas'] ?? 0}/${parts(o).spec['replicas'] ?? 0}` },
  { name: 'Up-to-date', type: 'integer', cell: (o) => parts(o).status['updatedReplicas'] ?? 0 },
  { name: 'Available', type: 'integer', cell: (o) => parts(o).status['availableReplicas'] ?? 0 },
  AGE,
  ...WORKLOAD_WIDE,
];

const REPLICASET_COLUMNS: Column[] = [
  NAME,
  { name: 'Desired', type: 'integer', cell: (o) => parts(o).spec['replicas'] ?? 0 },
  { name: 'Current', type: 'integer', cell: (o) => parts(o).status['replicas'] ?? 0 },
  { name: 'Ready', type: 'integer', cell: (o) => parts(o).status['readyReplicas'] ?? 0 },
  AGE,
  ...WORKLOAD_WIDE,
];

function jobStatus(job: KubeObject): string {
  const conditions = (parts(job).status['conditions'] ?? []) as Loose[];
  if (conditions.some((c) => c['type'] === 'Complete' && c['status'] === 'True')) return 'Complete';
  if (conditions.some((c) => c['type'] === 'Failed' && c['status'] === 'True')) return 'Failed';
  return 'Running';
}

const JOB_COLUMNS: Column[] = [
  NAME,
  { name: 'Status', type: 'string', cell: jobStatus },
  { name: 'Completions', type: 'string', cell: (o) => `${parts(o).status['succeeded'] ?? 0}/${parts(o).spec['completions'] ?? 1}` },
  {
    name: 'Duration',
    type: 'string',
    cell: (o, now) => {
      const { status } = parts(o);
      const start = Date.parse(status['startTime'] ?? '');
      const end = status['completionTime'] ? Date.parse(status['completionTime']) : now;
      return Number.isNaN(start) ? '' : humanDuration(end - start);
    },
  },
  AGE,
];

const CRONJOB_COLUMNS: Column[] = [
  NAME,
  { name: 'Schedule', type: 'string', cell: (o) => parts(o).spec['schedule'] ?? '' },
  { name: 'Timezone', type: 'string', cell: (o) => parts(o).spec['timeZone'] ?? '<none>' },
  { name: 'Suspend', type: 'string', cell: (o) => (parts(o).spec['suspend'] ? 'True' : 'False') },
  { name: 'Active', type: 'integer', cell: (o) => ((parts(o).status['active'] ?? []) as unknown[]).length },
  { name: 'Last Schedule', type: 'string', cell: (o, now) => since(parts(o).status['lastScheduleTime'], now) },
  AGE,
];

const SERVICE_COLUMNS: Column[] = [
  NAME,
  { name: 'Type', type: 'string', cell: (o) => parts(o).spec['type'] ?? 'ClusterIP' },
  { name: 'Cluster-IP', type: 'string', cell: (o) => parts(o).spec['clusterIP'] ?? '<none>' },
  { name: 'External-IP', type: 'string', cell: () => '<none>' },
  { name: 'Port(s)', type: 'string', cell: (o) => ((parts(o).spec['ports'] ?? []) as Loose[]).map((p) => `${p['port']}/${p['protocol'] ?? 'TCP'}`).join(',') || '<none>' },
  AGE,
];

/** Columns by resource id; types not listed get Name and Age. */
export const COLUMNS: Record<string, Column[]> = {
  pods: POD_COLUMNS,
  'deployments.apps': DEPLOYMENT_COLUMNS,
  'replicasets.apps': REPLICASET_COLUMNS,
  'jobs.batch': JOB_COLUMNS,
  'cronjobs.batch': CRONJOB_COLUMNS,
  services: SERVICE_COLUMNS,
  namespaces: [NAME, { name: 'Status', type: 'string', cell: (o) => parts(o).status['phase'] ?? 'Active' }, AGE],
  nodes: [NAME, { name: 'Status', type: 'string', cell: () => 'Ready' }, { name: 'Roles', type: 'string', cell: () => '<none>' }, AGE, { name: 'Version', type: 'string', cell: () => 'v1.32.0' }],
  configmaps: [NAME, { name: 'Data', type: 'integer', cell: (o) => Object.keys((o['data'] as object) ?? {}).length + Object.keys((o['binaryData'] as object) ?? {}).length }, AGE],
  secrets: [NAME, { name: 'Type', type: 'string', cell: (o) => String(o['type'] ?? 'Opaque') }, { name: 'Data', type: 'integer', cell: (o) => Object.keys((o['data'] as object) ?? {}).length }, AGE],
  events: [
    { name: 'Last Seen', type: 'string', cell: (o, now) => since(o['lastTimestamp'], now) },
    { name: 'Type', type: 'string', cell: (o) => String(o['type'] ?? '') },
    { name: 'Reason', type: 'string', cell: (o) => String(o['reason'] ?? '') },
    { name: 'Object', type: 'string', cell: (o) => { const io = (o['involvedObject'] ?? {}) as Loose; return `${String(io['kind'] ?? '').toLowerCase()}/${io['name'] ?? ''}`; } },
    { name: 'Message', type: 'string', cell: (o) => String(o['message'] ?? '') },
  ],
  'virtualservices.networking.istio.io': [NAME, { name: 'Gateways', type: 'string', cell: (o) => JSON.stringify(parts(o).spec['gateways'] ?? []) }, { name: 'Hosts', type: 'string', cell: (o) => JSON.stringify(parts(o).spec['hosts'] ?? []) }, AGE],
  'destinationrules.networking.istio.io': [NAME, { name: 'Host', type: 'string', cell: (o) => String(parts(o).spec['host'] ?? '') }, AGE],
  'httproutes.gateway.networking.k8s.io': [NAME, { name: 'Hostnames', type: 'string', cell: (o) => JSON.stringify(parts(o).spec['hostnames'] ?? []) }, AGE],
};

/** The default columns: Name and Age. */
export const DEFAULT_COLUMNS: Column[] = [NAME, AGE];
