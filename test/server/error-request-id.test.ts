import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createErrorFormatter, withRequestId } from '../../server/errors.ts';

describe('request ids on formatted errors', () => {
  const internal: unknown[] = [];
  const format = createErrorFormatter({ production: true, hideSuggestions: false, onInternal: (error) => internal.push(error) });
  const failure = new GraphQLError('connection to 10.0.0.7 refused', { path: ['project'], originalError: new Error('connection to 10.0.0.7 refused') });

  it('should name the request id in an internal error once the response is stamped, not the cause', () => {
    const [stamped] = withRequestId([format(failure.toJSON(), failure)], 'req-12345678');
    expect(stamped!.message).toBe('Internal server error; quote request id req-12345678 when reporting it');
    expect(stamped!.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'req-12345678' });
    expect(internal).toHaveLength(1);
  });

  it('should use the id given to the formatter (WebSocket), and say unknown when there is none', () => {
    expect(format(failure.toJSON(), failure, 'ws-req-1234').message).toContain('quote request id ws-req-1234 ');
    const none = format(failure.toJSON(), failure, null);
    expect(none.message).toContain('quote request id unknown ');
    expect(none.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  });
});
