import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { hasProgram } from './process.ts';

/** Where images go: `host:port` of a Distribution (Docker) registry. */
export interface ImageRegistry {
  /** `host:port`, the prefix of every image reference. */
  readonly host: string;
  /** Plain HTTP (and `--tls-verify=false`): loopback registries. */
  readonly insecure: boolean;
  /** The manifest digest of `repository:tag`, or null when there is none. @throws when the registry cannot be reached. */
  manifestDigest(repository: string, tag: string): Promise<string | null>;
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

/** A registry reached over its HTTP API (v2). */
export class RemoteRegistry implements ImageRegistry {
  readonly insecure: boolean;
  constructor(readonly host: string) {
    const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    this.insecure = name === 'localhost' || name === '::1' || /^127\./.test(name);
  }

  async manifestDigest(repository: string, tag: string): Promise<string | null> {
    const url = `${this.insecure ? 'http' : 'https'}://${this.host}/v2/${repository}/manifests/${encodeURIComponent(tag)}`;
    let response: Response;
    try {
      response = await fetch(url, { method: 'HEAD', headers: { accept: MANIFEST_TYPES }, signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      throw new Error(`the image registry ${this.host} cannot be reached (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message})`);
    }
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`the image registry ${this.host} answered HTTP ${response.status}`);
    return response.headers.get('docker-content-digest');
  }
}

/**
 * The registry Gantry runs itself when GANTRY_REGISTRY is unset: Debian's `docker-registry`
 * (the Distribution registry) on loopback, storing under `<dataDir>/registry`. Started on the
 * first build that needs it, on the port it had before when that is free (stored image
 * references keep working across restarts).
 */
export class ManagedRegistry {
  private child: ChildProcess | null = null;
  private starting: Promise<ImageRegistry> | null = null;
  private stopped = false;

  constructor(
    private readonly dataDir: string,
    private readonly log: (message: string, extra?: Record<string, unknown>) => void,
  ) {}

  /** The running registry, started now if needed. @throws naming what is missing. */
  get(): Promise<ImageRegistry> {
    this.starting ??= this.start().catch((error: unknown) => {
      this.starting = null;
      throw error;
    });
    return this.starting;
  }

  private async start(): Promise<ImageRegistry> {
    if (this.stopped) throw new Error('Gantry is shutting down');
    if (!(await hasProgram('docker-registry'))) {
      throw new Error('no image registry: set GANTRY_REGISTRY, or install the docker-registry binary (Debian package docker-registry) so Gantry can run one');
    }
    const dir = join(this.dataDir, 'registry');
    await mkdir(join(dir, 'data'), { recursive: true });
    const portFile = join(dir, 'port');
    const previous = Number(await readFile(portFile, 'utf8').catch(() => '0'));
    const port = (previous > 0 && (await portIsFree(previous)) ? previous : 0) || (await freePort());
    const config = join(dir, 'config.yml');
    await writeFile(
      config,
      [
        'version: 0.1',
        'log: { level: warn }',
        `storage: { filesystem: { rootdirectory: ${JSON.stringify(join(dir, 'data'))} }, delete: { enabled: true } }`,
        `http: { addr: "127.0.0.1:${port}" }`,
        '',
      ].join('\n'),
    );
    await writeFile(portFile, String(port));
    const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    child.once('exit', (code) => {
      if (this.child === child) {
        this.child = null;
        this.starting = null;
        if (!this.stopped) this.log('managed image registry exited; it is started again on the next build', { code });
      }
    });
    const registry = new RemoteRegistry(`127.0.0.1:${port}`);
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) throw new Error(`the managed docker-registry exited at start: ${stderr.trim().split('\n').at(-1) ?? ''}`);
      const ok = await fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.ok, () => false);
      if (ok) {
        this.log('managed image registry started', { registry: registry.host });
        return registry;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    throw new Error('the managed docker-registry did not answer within 10 s');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
