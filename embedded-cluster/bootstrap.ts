/**
 * The objects every cluster starts with: the system namespaces and the simulated nodes.
 */
import { NODE_NAMES, nodeIp } from './controllers/pod-status.ts';
import { toKubeTime } from './objects.ts';
import type { ResourceApi } from './resource-api.ts';

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Creates the system namespaces and nodes that are missing (idempotent, so also run after loading a snapshot). */
export function bootstrapCluster(api: ResourceApi, now: Date): void {
  for (const name of SYSTEM_NAMESPACES) {
    if (!api.store.get('namespaces', undefined, name)) api.create('namespaces', undefined, { metadata: { name } });
  }
  for (const name of NODE_NAMES) {
    if (api.store.get('nodes', undefined, name)) continue;
    const stamp = toKubeTime(now);
    const node = api.create('nodes', undefined, {
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' } },
      spec: { podCIDR: `10.244.${NODE_NAMES.indexOf(name) + 1}.0/24` },
    });
    const capacity = { cpu: '8', memory: '32Gi', pods: '110', 'ephemeral-storage': '100Gi' };
    api.update('nodes', undefined, name, {
      ...node,
      status: {
        capacity,
        allocatable: capacity,
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: stamp, lastTransitionTime: stamp }],
        addresses: [
          { type: 'InternalIP', address: nodeIp(name) },
          { type: 'Hostname', address: name },
        ],
        nodeInfo: { kubeletVersion: 'v1.32.0', containerRuntimeVersion: 'containerd://1.7.0', operatingSystem: 'linux', architecture: 'amd64', osImage: 'Gantry embedded', kernelVersion: '6.1.0', machineID: '', systemUUID: '', bootID: '', kubeProxyVersion: '' },
      },
    }, { subresource: 'status' });
  }
}
