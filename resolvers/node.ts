import { resolveNode } from '../services/node.ts';
import type { Resolvers } from './types.generated.ts';

export const nodeResolvers: Resolvers = {
  Query: {
    node: async (_, { id }, ctx) => {
      const { type, row } = await resolveNode(ctx, id);
      return { ...(row as object), __typename: type } as never;
    },
  },
  Node: {
    __resolveType: (node) => (node as unknown as { __typename: string }).__typename as never,
  },
};
