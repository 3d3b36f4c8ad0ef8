import { GraphQLEnumType } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as enums from '../../db/schema/enums.ts';
import { apps, environments, projectMembers, releaseEvents, releases } from '../../db/schema/index.ts';
import type { Role } from '../../resolvers/types.generated.ts';
import { buildSchema } from '../../server/graphql.ts';

/** Each list of db/schema/enums.ts, the SDL enum it mirrors, and the text columns that store it. */
const STORED = [
  { list: enums.ROLES, sdl: 'Role', columns: [projectMembers.role] },
  { list: enums.LANGUAGES, sdl: 'Language', columns: [apps.language] },
  { list: enums.TRAFFIC_ROUTERS, sdl: 'TrafficRouter', columns: [environments.router] },
  { list: enums.RELEASE_STRATEGIES, sdl: 'ReleaseStrategy', columns: [releases.strategy] },
  { list: enums.RELEASE_STATUSES, sdl: 'ReleaseStatus', columns: [releases.status] },
  { list: enums.RELEASE_EVENT_TYPES, sdl: 'ReleaseEventType', columns: [releaseEvents.type] },
] as const;

describe('enums: the SDL is the one source', () => {
  const schema = buildSchema();

  it.each(STORED.map((s) => [s.sdl, s] as const))('should keep %s as exactly the SDL values, in its text columns too', (_, { list, sdl, columns }) => {
    const type = schema.getType(sdl);
    expect(type).toBeInstanceOf(GraphQLEnumType);
    const values = (type as GraphQLEnumType).getValues().map((v) => v.name);
    expect([...list].sort()).toEqual([...values].sort());
    for (const column of columns) expect(column.enumValues).toEqual(list);
  });

  it('should refuse at compile time a list that leaves out or invents a value', () => {
    // These two calls are checked by `npm run typecheck`: if enumValues stopped checking, the
    // expect-error directives below would be unused, which is itself a type error.
    // @ts-expect-error VIEWER is missing
    const missing = enums.enumValues<Role>()(['OWNER', 'MAINTAINER', 'DEVELOPER']);
    // @ts-expect-error GOD is not a Role
    const invented = enums.enumValues<Role>()(['OWNER', 'MAINTAINER', 'DEVELOPER', 'VIEWER', 'GOD']);
    // At run time the helper returns the list as given.
    expect(missing).toEqual(['OWNER', 'MAINTAINER', 'DEVELOPER']);
    expect(invented).toHaveLength(5);
  });
});
