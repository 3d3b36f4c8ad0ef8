/**
 * Baseline: what the dashboard query costs with no framework at all. A plain node:http handler
 * with postgres.js answers the same request with the same JSON, byte for byte (the benchmark
 * checks), in 4 statements: the token, the project with the caller's membership, the page of
 * apps, and their environments with each one's current release.
 * Run as a child process: PORT and DATABASE_URL from the environment; prints `listening <port>`.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';

const sql = postgres(process.env.DATABASE_URL!, { max: 10, onnotice: () => {} });
const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');

async function dashboard(token: string, slug: string): Promise<unknown> {
  const hash = createHash('sha256').update(token, 'utf8').digest('hex');
  const [viewer] = await sql`select u.id, u.is_admin from api_tokens t join users u on u.id = t.user_id
    where t.token_hash = ${hash} and t.revoked_at is null and (t.expires_at is null or t.expires_at > now())`;
  if (!viewer) return null;
  const [project] = await sql`select p.id, p.name, m.role from projects p
    left join project_members m on m.project_id = p.id and m.user_id = ${viewer.id} where p.slug = ${slug}`;
  if (!project || (!project.role && !viewer.is_admin)) return { data: null };
  const apps = await sql`select id, name, language, count(*) over () as total from apps
    where project_id = ${project.id} order by name limit 21`;
  const page = apps.slice(0, 20);
  const environments = page.length
    ? await sql`select e.id, e.app_id, e.name, e.namespace, e.replicas, r.id as release_id, r.version, r.image, r.status
        from environments e left join releases r on r.id = e.stable_release_id
        where e.app_id in ${sql(page.map((a) => a.id))} order by e.name`
    : [];
  return {
    data: {
      project: {
        id: gid('Project', project.id),
        name: project.name,
        apps: {
          totalCount: Number(apps[0]?.total ?? 0),
          nodes: page.map((a) => ({
            id: gid('App', a.id),
            name: a.name,
            language: a.language,
            environments: environments
              .filter((e) => e.app_id === a.id)
              .map((e) => ({
                id: gid('Environment', e.id),
                name: e.name,
                namespace: e.namespace,
                replicas: e.replicas,
                currentRelease: e.release_id ? { id: gid('Release', e.release_id), version: e.version, image: e.image, status: e.status } : null,
              })),
          })),
        },
      },
    },
  };
}

const server = createServer(async (req, res) => {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    let body: { variables?: { slug?: string } };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400);
      return void res.end('send a JSON body');
    }
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    const answer = await dashboard(token, String(body.variables?.slug ?? ''));
    res.writeHead(answer ? 200 : 401, { 'content-type': 'application/graphql-response+json; charset=utf-8' });
    // Apollo ends its JSON with a newline; so does this, for a byte-for-byte comparison.
    res.end(`${JSON.stringify(answer ?? { errors: [{ message: 'unauthenticated' }] })}\n`);
  } catch (error) {
    res.writeHead(500);
    res.end(String(error));
  }
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => server.close(() => void sql.end().then(() => process.exit(0))));
