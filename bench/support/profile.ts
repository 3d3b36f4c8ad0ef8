/**
 * Optional CPU profile of one phase of a benchmark, taken in process through the inspector so
 * it covers just that phase (a whole-run `--cpu-prof` is mostly set-up). Set
 * `BENCH_PROFILE_DIR=<dir>`; the profile is written there as `<name>.cpuprofile`, to open in
 * Chrome DevTools or any cpuprofile viewer.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

export async function profilePhase<T>(name: string, phase: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) return phase();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await phase();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    await mkdir(dir, { recursive: true });
    const file = join(dir, `${name}.cpuprofile`);
    await writeFile(file, JSON.stringify(profile));
    console.log(`  CPU profile of ${name}: ${file}`);
  }
}
