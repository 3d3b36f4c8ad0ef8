import { printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../../server/graphql.ts';

describe('executable schema', () => {
  it('should build an executable schema whose every root field has a resolver', () => {
    const schema = buildSchema();
    for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
      for (const field of Object.values(root!.getFields())) {
        const hasResolver = Boolean(field.resolve) || Boolean(field.subscribe);
        expect(hasResolver, `${root!.name}.${field.name} has no resolver`).toBe(true);
      }
    }
    expect(printSchema(schema)).toContain('type Query');
  });
});
