/**
 * The `prometheus.io/*` pod annotations: how a cluster's own Prometheus (with the usual
 * `kubernetes_sd_configs` pod job that keeps annotated pods) finds an app's metrics endpoint, the
 * counterpart of the file_sd targets Gantry writes for the Prometheus it runs or is given. They
 * are part of the pod template, so they reach pods with the app's next release.
 */
export const SCRAPE_ANNOTATIONS = {
  scrape: 'prometheus.io/scrape',
  port: 'prometheus.io/port',
  path: 'prometheus.io/path',
} as const;

/**
 * The annotations of the pods of an app with `endpoint`. Without one they are null: in a
 * server-side apply that removes what an earlier apply with an endpoint set (as `rollingUpdate:
 * null` does in the Deployment's strategy), so an in-place release drops them.
 */
export function scrapeAnnotations(endpoint: { port: number; path: string } | null | undefined): Record<string, string | null> {
  if (!endpoint) return { [SCRAPE_ANNOTATIONS.scrape]: null, [SCRAPE_ANNOTATIONS.port]: null, [SCRAPE_ANNOTATIONS.path]: null };
  return { [SCRAPE_ANNOTATIONS.scrape]: 'true', [SCRAPE_ANNOTATIONS.port]: String(endpoint.port), [SCRAPE_ANNOTATIONS.path]: endpoint.path };
}
