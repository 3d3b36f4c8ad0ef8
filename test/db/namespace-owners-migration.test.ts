import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '../../db/migrate.ts';
import { createPostgresDatabase, TEST_DB } from '../support/database.ts';

/** Runs one migration file's statements, as drizzle's migrator splits them. */
async function runMigration(exec: (statement: string) => Promise<unknown>, file: string): Promise<void> {
  const text = readFileSync(join(MIGRATIONS_FOLDER, file), 'utf8');
  for (const statement of text.split('--> statement-breakpoint')) if (statement.trim()) await exec(statement);
}

const P1 = '00000000-0000-4000-8000-000000000001';
const P2 = '00000000-0000-4000-8000-000000000002';

describe('migration 0003: namespace owners backfilled from existing environments', () => {
  let exec: (statement: string) => Promise<unknown>;
  let query: (statement: string) => Promise<Record<string, unknown>[]>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    if (TEST_DB === 'postgres') {
      const database = await createPostgresDatabase();
      const sql = postgres(database.url, { max: 1, onnotice: () => {} });
      exec = (s) => sql.unsafe(s);
      query = async (s) => [...(await sql.unsafe(s))];
      close = async () => (await sql.end(), await database.drop());
    } else {
      const client = new PGlite();
      exec = (s) => client.exec(s);
      query = async (s) => (await client.query<Record<string, unknown>>(s)).rows;
      close = () => client.close();
    }
    for (const file of ['0000_foundation.sql', '0001_clusters.sql', '0002_releases.sql']) await runMigration(exec, file);
  });
  afterAll(() => close?.());

  it('should give each namespace to the project of its oldest environment, without failing on namespaces two projects already share', async () => {
    await exec(`
      insert into projects (id, slug, name) values ('${P1}', 'one', 'One'), ('${P2}', 'two', 'Two');
      insert into apps (id, project_id, name, language) values
        ('10000000-0000-4000-8000-000000000001', '${P1}', 'web', 'GO'),
        ('10000000-0000-4000-8000-000000000002', '${P1}', 'api', 'GO'),
        ('10000000-0000-4000-8000-000000000003', '${P2}', 'shop', 'GO');
      insert into environments (id, app_id, app_name, name, cluster, namespace, replicas, router, created_at) values
        ('20000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000001', 'web', 'prod', 'embedded', 'one-prod', 2, 'ISTIO', '2026-01-01'),
        ('20000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000002', 'api', 'prod', 'embedded', 'one-prod', 2, 'ISTIO', '2026-01-02'),
        ('20000000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-000000000001', 'web', 'shared', 'embedded', 'shared', 2, 'ISTIO', '2026-02-02'),
        ('20000000-0000-4000-8000-000000000004', '10000000-0000-4000-8000-000000000003', 'shop', 'shared', 'embedded', 'shared', 2, 'ISTIO', '2026-02-01'),
        ('20000000-0000-4000-8000-000000000005', '10000000-0000-4000-8000-000000000003', 'shop', 'other', 'edge', 'shared', 2, 'ISTIO', '2026-03-01');
    `);
    await runMigration(exec, '0003_namespace_owners.sql');
    const owners = await query(`select cluster, namespace, project_id::text as project from namespace_owners order by cluster, namespace`);
    expect(owners).toEqual([
      { cluster: 'edge', namespace: 'shared', project: P2 },
      { cluster: 'embedded', namespace: 'one-prod', project: P1 },
      // Shared before the migration: the first environment's project owns it; both environments stay.
      { cluster: 'embedded', namespace: 'shared', project: P2 },
    ]);
    expect(await query(`select count(*)::int as n from environments`)).toEqual([{ n: 5 }]);
    expect(await query(`select revision_history_limit as limit from environments group by 1`)).toEqual([{ limit: 3 }]);
  });
});
