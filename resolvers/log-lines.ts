import { logLineCursor } from '../services/shared/runtime/log-lines.ts';
import type { Resolvers } from './types.generated.ts';

/** LogLine's one computed field; the domains that serve logs return the stored rows. */
export const logLineResolvers: Resolvers = {
  LogLine: {
    cursor: (row) => logLineCursor(row),
  },
};
