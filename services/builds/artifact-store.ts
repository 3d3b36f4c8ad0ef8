import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Database, Tx } from '../../db/client.ts';
import { buildArtifactChunks } from '../../db/schema/index.ts';

/** Bytes per stored chunk: small enough to hold one in memory per download, large enough to be few. */
export const CHUNK_BYTES = 1024 * 1024;
/** Chunks read per statement while downloading. */
const CHUNKS_PER_READ = 4;

/**
 * Stores a tarball (`file`, packed in the build's workspace) as the artifact `name` of a build,
 * replacing any earlier copy (a retried write stores it once).
 * @returns its sha256 digest (`sha256:…`), computed over the bytes stored.
 */
export async function storeTarball(db: Database, buildId: string, name: string, file: string): Promise<string> {
  const hash = createHash('sha256');
  const handle = await open(file, 'r');
  try {
    await db.transaction(async (tx) => {
      await tx.delete(buildArtifactChunks).where(and(eq(buildArtifactChunks.buildId, buildId), eq(buildArtifactChunks.name, name)));
      for (let chunk = 0; ; chunk++) {
        const buffer = Buffer.alloc(CHUNK_BYTES);
        const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
        if (bytesRead === 0 && chunk > 0) break;
        const data = buffer.subarray(0, bytesRead);
        hash.update(data);
        await tx.insert(buildArtifactChunks).values({ buildId, name, chunk, data });
        if (bytesRead < CHUNK_BYTES) break;
      }
    });
  } finally {
    await handle.close();
  }
  return `sha256:${hash.digest('hex')}`;
}

/** The stored size of an artifact in bytes; null when nothing is stored under that name. */
export async function tarballSize(tx: Tx, buildId: string, name: string): Promise<number | null> {
  const [row] = await tx
    .select({ bytes: sql<number>`coalesce(sum(octet_length(${buildArtifactChunks.data})), 0)::bigint`, chunks: sql<number>`count(*)::int` })
    .from(buildArtifactChunks)
    .where(and(eq(buildArtifactChunks.buildId, buildId), eq(buildArtifactChunks.name, name)));
  return row && Number(row.chunks) > 0 ? Number(row.bytes) : null;
}

/**
 * The artifact's bytes, in order, a few chunks per statement. Checks them against `digest` as
 * they pass: the last chunk is yielded only once they match, and the generator throws instead when
 * the stored bytes are not the ones published, so a caller streaming them cuts the transfer short.
 */
export async function* readTarball(tx: Tx, buildId: string, name: string, digest: string): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256');
  // The last chunk is held back until the whole file is checked: a corrupt file never arrives
  // whole (the client gets fewer bytes than content-length), however fast it reads.
  let held: Uint8Array | null = null;
  for (let from = 0; ; from += CHUNKS_PER_READ) {
    const rows = await tx
      .select({ data: buildArtifactChunks.data })
      .from(buildArtifactChunks)
      .where(and(eq(buildArtifactChunks.buildId, buildId), eq(buildArtifactChunks.name, name), gte(buildArtifactChunks.chunk, from), lt(buildArtifactChunks.chunk, from + CHUNKS_PER_READ)))
      .orderBy(asc(buildArtifactChunks.chunk));
    for (const row of rows) {
      hash.update(row.data);
      if (held) yield held;
      held = row.data;
    }
    if (rows.length < CHUNKS_PER_READ) break;
  }
  const actual = `sha256:${hash.digest('hex')}`;
  if (actual !== digest) throw new Error(`stored tarball ${name} of build ${buildId} does not match its digest`);
  if (held) yield held;
}
