/**
 * The managed Prometheus' configuration (JSON, which is YAML): the embedded cluster's metrics
 * listener (cAdvisor, kube-state-metrics, Istio), the apps' own endpoints through file-based
 * discovery, Gantry's rule files, and the Alertmanager to notify.
 */

export interface PrometheusConfigInput {
  scrapeSeconds: number;
  /** `host:port` of each cluster metrics endpoint Gantry knows (the embedded cluster's), by cluster name. */
  clusterTargets: { cluster: string; address: string }[];
  targetsDir: string;
  rulesDir: string;
  /** `host:port` of the Alertmanager, if any. */
  alertmanager: string | null;
}

export function renderPrometheusConfig(input: PrometheusConfigInput): string {
  const interval = `${input.scrapeSeconds}s`;
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval },
    rule_files: [`${input.rulesDir}/*.rules.yml`],
    ...(input.alertmanager ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [input.alertmanager] }] }] } } : {}),
    scrape_configs: [
      ...input.clusterTargets.map(({ cluster, address }) => ({
        job_name: `gantry-cluster-${cluster}`,
        // The endpoint speaks for every pod (as a kubelet does): keep its namespace/pod labels.
        honor_labels: true,
        static_configs: [{ targets: [address], labels: { cluster } }],
      })),
      {
        job_name: 'gantry-apps',
        // The target's namespace/pod/app labels win over anything an app exposes.
        honor_labels: false,
        file_sd_configs: [{ files: [`${input.targetsDir}/*.json`], refresh_interval: '5s' }],
      },
    ],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
