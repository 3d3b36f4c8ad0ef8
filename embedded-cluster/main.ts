/**
 * `npm run cluster`: runs the embedded Kubernetes API server on its own and prints how to
 * point kubectl at it. Configured by the same variables as Gantry's own embedded cluster:
 *   GANTRY_DATA_DIR                where the kubeconfig and state live (default ./.gantry)
 *   GANTRY_EMBEDDED_CLUSTER_PORT   port to listen on (default 0: any free port)
 *   GANTRY_EMBEDDED_TIME_SCALE     simulated-to-real time ratio (default 1)
 */
import { ConfigError, loadConfig } from '../server/config.ts';
import { startEmbeddedCluster } from './cluster.ts';

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`gantry cluster: ${error.message}`);
    process.exit(2);
  }
  throw error;
}
const cluster = await startEmbeddedCluster({
  dataDir: config.dataDir,
  port: config.clusters.embeddedPort,
  timeScale: config.clusters.embeddedTimeScale,
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
