/**
 * `npm run cluster`: runs the embedded Kubernetes API server on its own and prints how to
 * point kubectl at it. Configured by environment:
 *   GANTRY_DATA_DIR            where the kubeconfig and state live (default ./.gantry)
 *   GANTRY_CLUSTER_PORT        port to listen on (default 0: any free port)
 *   GANTRY_CLUSTER_TIME_SCALE  simulated-to-real time ratio (default 1)
 */
import { startEmbeddedCluster } from './cluster.ts';

const dataDir = process.env['GANTRY_DATA_DIR'] ?? './.gantry';
const cluster = await startEmbeddedCluster({
  dataDir,
  port: Number(process.env['GANTRY_CLUSTER_PORT'] ?? 0),
  timeScale: Number(process.env['GANTRY_CLUSTER_TIME_SCALE'] ?? 1),
  log: (message) => console.log(message),
});

console.log(`Embedded Kubernetes API server listening on ${cluster.url}`);
console.log('Use it with kubectl:');
console.log(`  export KUBECONFIG=${cluster.kubeconfigPath ?? ''}`);
console.log('  kubectl get nodes');
console.log('  kubectl apply -f deployment.yaml');
console.log('  kubectl get pods -w');
console.log('Press Ctrl+C to stop (state is kept in the data directory).');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void cluster.stop().then(() => process.exit(0));
  });
}
