import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DigestMismatch, ReleaseStore } from '../../agent/releases.ts';

/**
 * The agent's own check of what it downloads, against a real HTTP server on loopback that serves
 * whatever tarball the test gives it (Gantry itself would cut a corrupt transfer short, so the
 * e2e test cannot hand the agent a whole wrong file: a proxy or a disk in between could).
 */
describe('the agent release store', () => {
  let dir: string;
  let server: Server;
  let url: string;
  let served: Buffer;
  const tokens: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gantry-agent-store-'));
    const source = join(dir, 'source');
    execFileSync('mkdir', ['-p', source]);
    writeFileSync(join(source, 'version'), 'r7\n');
    served = execFileSync('tar', ['-czf', '-', '-C', source, '.']);
    server = createServer((req, res) => {
      tokens.push(String(req.headers.authorization));
      res.writeHead(200, { 'content-type': 'application/gzip' }).end(served);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/artifacts/x/dist.tar.gz`;
  });
  afterAll(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const sha = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

  it('should unpack a tarball whose sha256 matches, with the host token, and remember its digest', async () => {
    const store = new ReleaseStore(join(dir, 'agent-ok'));
    await store.init();
    await store.fetch('r7', url, sha(served), 'gnt_host-token');
    expect(readFileSync(join(store.releaseDir('r7'), 'version'), 'utf8')).toBe('r7\n');
    expect(await store.has('r7', sha(served))).toBe(true);
    expect(tokens.at(-1)).toBe('Bearer gnt_host-token');
    expect(readdirSync(join(dir, 'agent-ok', 'downloads'))).toEqual([]);
  });

  it('should refuse a tarball whose sha256 differs and unpack nothing', async () => {
    const store = new ReleaseStore(join(dir, 'agent-bad'));
    await store.init();
    const published = sha(Buffer.from('the tarball that was built'));
    await expect(store.fetch('r8', url, published, 'gnt_host-token')).rejects.toBeInstanceOf(DigestMismatch);
    await expect(store.fetch('r8', url, published, 'gnt_host-token')).rejects.toThrow(/digest .* expected .*: refused/);
    expect(readdirSync(join(dir, 'agent-bad', 'releases'))).toEqual([]);
    expect(readdirSync(join(dir, 'agent-bad', 'downloads'))).toEqual([]);
    expect(await store.has('r8', published)).toBe(false);
  });

  it('should refuse a digest that is not a sha256 digest before downloading', async () => {
    const store = new ReleaseStore(join(dir, 'agent-odd'));
    await store.init();
    const before = tokens.length;
    await expect(store.fetch('r9', url, 'md5:abc', 'gnt_host-token')).rejects.toBeInstanceOf(DigestMismatch);
    expect(tokens.length).toBe(before);
  });

  it('should make a new version of a kept tarball from its files, with no download, and leave the kept one intact', async () => {
    const store = new ReleaseStore(join(dir, 'agent-rollback'));
    await store.init();
    await store.fetch('r7', url, sha(served), 'gnt_host-token');
    writeFileSync(join(store.releaseDir('r7'), '.gantry-run.json'), '{"env":"r7"}');
    const before = tokens.length;
    expect(await store.adopt('r12', sha(served))).toBe('r7');
    expect(tokens.length, 'nothing downloaded').toBe(before);
    expect(readFileSync(join(store.releaseDir('r12'), 'version'), 'utf8')).toBe('r7\n');
    expect(await store.has('r12', sha(served))).toBe(true);
    // The agent's own files are not shared: the new version's run file is written afresh.
    expect(readdirSync(store.releaseDir('r12')).sort()).toEqual(['.gantry-digest', 'version']);
    expect(readFileSync(join(store.releaseDir('r7'), '.gantry-run.json'), 'utf8')).toBe('{"env":"r7"}');
    expect(await store.adopt('r13', sha(Buffer.from('another tarball')))).toBeNull();
    // What a restarted agent keeps for a switch back: the newest release but the current one.
    expect(await store.previous('r12')).toBe('r7');
    expect(await store.previous('r7')).toBe('r12');
  });

  it("should write the release's config files under its own config directory and refuse a path that leaves it", async () => {
    const store = new ReleaseStore(join(dir, 'agent-files'));
    await store.init();
    await store.fetch('r7', url, sha(served), 'gnt_host-token');
    const configDir = await store.writeConfigFiles('r7', [{ path: 'app/settings.json', content: '{"a":1}' }]);
    expect(configDir).toBe(join(store.releaseDir('r7'), '.gantry-config'));
    expect(readFileSync(join(configDir, 'app', 'settings.json'), 'utf8')).toBe('{"a":1}');
    for (const path of ['../escape', '/etc/passwd', 'a//b', 'a/./b']) {
      await expect(store.writeConfigFiles('r7', [{ path, content: 'x' }])).rejects.toThrow(/refused a config file path/);
    }
    // A refusal writes nothing: what was written before stays.
    expect(readFileSync(join(configDir, 'app', 'settings.json'), 'utf8')).toBe('{"a":1}');
  });
});
