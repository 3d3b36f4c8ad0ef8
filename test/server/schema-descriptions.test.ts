import {
  buildClientSchema,
  getIntrospectionQuery,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedScalarType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from '../../server/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * Every schema coordinate (type, field, argument, input field, enum value) of `schema` that has
 * no description. Built-in scalars and introspection types are GraphQL's, not ours.
 */
function undescribed(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const needs = (coordinate: string, description: string | null | undefined) => {
    if (!description?.trim()) missing.push(coordinate);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    needs(type.name, type.description);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        needs(`${type.name}.${field.name}`, field.description);
        for (const arg of field.args) needs(`${type.name}.${field.name}(${arg.name}:)`, arg.description);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) needs(`${type.name}.${field.name}`, field.description);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) needs(`${type.name}.${value.name}`, value.description);
    }
  }
  return missing.sort();
}

describe('schema descriptions', () => {
  it('should describe every type, field, argument, input field and enum value', () => {
    expect(undescribed(buildSchema())).toEqual([]);
  });

  describe('over HTTP', () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer();
    });
    afterAll(() => t?.close());

    // What GraphiQL and consoles show: the descriptions as introspection serves them.
    it('should serve every description through introspection on /graphql', async () => {
      const introspection = await t.ok<IntrospectionQuery>(getIntrospectionQuery({ inputValueDeprecation: true }));
      const schema = buildClientSchema(introspection);
      expect(undescribed(schema)).toEqual([]);
      expect(schema.getMutationType()!.getFields().createRelease!.description).toMatch(/CONFLICT/);
    });
  });

  it('should find a coordinate left without a description', async () => {
    const { buildSchema: fromSdl } = await import('graphql');
    const sdl = `
      "Root." type Query { "Described." a(x: Int): E }
      enum E { "Described." ONE TWO }
      input I { "Described." a: Int b: Int }
      type T { a: Int }
      type Mutation { m(i: I): T }
    `;
    expect(undescribed(fromSdl(sdl))).toEqual(['E', 'E.TWO', 'I', 'I.b', 'Mutation', 'Mutation.m', 'Mutation.m(i:)', 'Query.a(x:)', 'T', 'T.a']);
  });
});
