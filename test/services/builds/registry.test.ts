import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManagedRegistry, RemoteRegistry } from '../../../services/builds/registry.ts';

const hasRegistry = spawnSync('sh', ['-c', 'command -v docker-registry']).status === 0;
if (!hasRegistry) {
  if (process.env.CI === 'true') throw new Error('docker-registry is missing (apt-get install docker-registry)');
  console.warn('SKIPPED: the managed registry test needs docker-registry (apt-get install docker-registry)');
}

describe('image registries', () => {
  it.skipIf(!hasRegistry)('should start a managed docker-registry under the data dir on first use, on the same port again after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gantry-managed-registry-'));
    const messages: string[] = [];
    try {
      const first = new ManagedRegistry(dir, (m) => messages.push(m));
      const registry = await first.get();
      expect(registry.host).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(registry.insecure).toBe(true);
      expect(await registry.manifestDigest('shop/api', 'b1')).toBeNull();
      expect(readFileSync(join(dir, 'registry', 'port'), 'utf8')).toBe(registry.host.split(':')[1]);
      await first.stop();
      const again = new ManagedRegistry(dir, () => {});
      expect((await again.get()).host).toBe(registry.host);
      await again.stop();
      expect(messages).toContain('managed image registry started');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should say which registry cannot be reached', async () => {
    await expect(new RemoteRegistry('127.0.0.1:1').manifestDigest('shop/api', 'b1')).rejects.toThrow('the image registry 127.0.0.1:1 cannot be reached');
    expect(new RemoteRegistry('registry.example.com').insecure).toBe(false);
  });
});
