import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';

describe('build settings from the environment', () => {
  it('should take GANTRY_BUILD_STORAGE_DRIVER overlay or vfs, probe when it is unset, and refuse anything else by name', () => {
    expect(loadConfig({}).builds).toMatchObject({ storageDriver: null, imageCacheHours: 168 });
    expect(loadConfig({ GANTRY_BUILD_STORAGE_DRIVER: 'vfs', GANTRY_BUILD_IMAGE_CACHE_HOURS: '24' }).builds).toMatchObject({ storageDriver: 'vfs', imageCacheHours: 24 });
    expect(loadConfig({ GANTRY_BUILD_STORAGE_DRIVER: 'overlay' }).builds.storageDriver).toBe('overlay');
    expect(() => loadConfig({ GANTRY_BUILD_STORAGE_DRIVER: 'btrfs' })).toThrow(ConfigError);
    expect(() => loadConfig({ GANTRY_BUILD_STORAGE_DRIVER: 'btrfs' })).toThrow(/GANTRY_BUILD_STORAGE_DRIVER must be overlay or vfs/);
    expect(() => loadConfig({ GANTRY_BUILD_IMAGE_CACHE_HOURS: '0' })).toThrow(/GANTRY_BUILD_IMAGE_CACHE_HOURS/);
  });
});
