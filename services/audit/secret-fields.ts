/**
 * Which input fields hold secrets, read from the schema's `@secret` directive: the audit log
 * redacts by field (what the schema says a value is), not only by key name, so a secret named
 * `FEATURE_X` is as hidden as one named `DB_PASSWORD`.
 */
import { getNamedType, isInputObjectType, type GraphQLSchema } from 'graphql';

interface FieldInfo {
  secret: boolean;
  /** The field's named input object type, to follow nested inputs; null for scalars and enums. */
  inputType: string | null;
}

let inputTypes = new Map<string, Map<string, FieldInfo>>();

/** Learns the input types of `schema` and their `@secret` fields; called once when the schema is built. */
export function registerSecretFields(schema: GraphQLSchema): void {
  const found = new Map<string, Map<string, FieldInfo>>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isInputObjectType(type) || type.name.startsWith('__')) continue;
    const fields = new Map<string, FieldInfo>();
    for (const field of Object.values(type.getFields())) {
      const secret = Boolean(field.astNode?.directives?.some((d) => d.name.value === 'secret'));
      const named = getNamedType(field.type);
      fields.set(field.name, { secret, inputType: isInputObjectType(named) ? named.name : null });
    }
    found.set(type.name, fields);
  }
  inputTypes = found;
}

/** The input fields of `typeName` marked `@secret` (for tests and documentation). */
export function secretFieldsOf(typeName: string): string[] {
  return [...(inputTypes.get(typeName) ?? new Map<string, FieldInfo>())].filter(([, f]) => f.secret).map(([name]) => name);
}

/**
 * `value` as a value of input type `typeName`, with every `@secret` field (at any depth,
 * in lists too) replaced by `[REDACTED]`. Unknown types pass through unchanged.
 */
export function redactSecretFields(value: unknown, typeName: string): unknown {
  if (Array.isArray(value)) return value.map((item) => redactSecretFields(item, typeName));
  const fields = inputTypes.get(typeName);
  if (!fields || value === null || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, item]) => {
      const info = fields.get(key);
      if (info?.secret && item !== undefined && item !== null) return [key, '[REDACTED]'];
      return [key, info?.inputType ? redactSecretFields(item, info.inputType) : item];
    }),
  );
}
