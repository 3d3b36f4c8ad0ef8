/** One scrape of a Prometheus text endpoint. */
export interface Scrape {
  /** Sum of every sample of `name` whose labels include all of `labels` (e.g. `cluster="embedded"`). */
  sum(name: string, ...labels: string[]): number;
}

/** GETs `<origin>/metrics`, as Prometheus would. */
export async function scrapeMetrics(origin: string): Promise<Scrape> {
  const lines = (await (await fetch(`${origin}/metrics`)).text()).split('\n').filter((line) => line && !line.startsWith('#'));
  return {
    sum: (name, ...labels) =>
      lines
        .filter((line) => (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) && labels.every((label) => line.includes(label)))
        .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0),
  };
}
