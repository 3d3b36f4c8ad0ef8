/**
 * Decoding of `application/vnd.kubernetes.protobuf` request bodies into the JSON objects the
 * rest of the server works with. The body is the 4-byte magic `k8s\0` followed by a
 * runtime.Unknown envelope {1: TypeMeta{1: apiVersion, 2: kind}, 2: raw object, 3:
 * contentEncoding, 4: contentType}; the raw object is decoded with the layouts of
 * protobuf-schema.ts. Go zero values of non-pointer fields are omitted, as Go's JSON encoding
 * with `omitempty` would.
 */
import { ApiError } from './errors.ts';
import { MESSAGES, PROTOBUF_KINDS, type FieldSpec } from './protobuf-schema.ts';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

function unsupported(message: string): ApiError {
  return new ApiError(415, 'UnsupportedMediaType', `${message}; send the object as ${'application/json'} instead of ${PROTOBUF_MEDIA_TYPE}`);
}

function malformed(message: string): ApiError {
  return new ApiError(400, 'BadRequest', `invalid protobuf body: ${message}`);
}

/** One raw field as read off the wire. */
interface WireField {
  field: number;
  wireType: number;
  /** The varint value (wire type 0). */
  varint?: bigint;
  /** The payload (wire type 2). */
  bytes?: Buffer;
}

function readVarint(buffer: Buffer, offset: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let position = offset; position < buffer.length && shift < 70n; position++) {
    const byte = buffer[position] ?? 0;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, position + 1];
    shift += 7n;
  }
  throw malformed('truncated varint');
}

function readFields(buffer: Buffer): WireField[] {
  const fields: WireField[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const [key, afterKey] = readVarint(buffer, offset);
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (wireType === 0) {
      const [varint, next] = readVarint(buffer, afterKey);
      fields.push({ field, wireType, varint });
      offset = next;
    } else if (wireType === 2) {
      const [length, start] = readVarint(buffer, afterKey);
      const end = start + Number(length);
      if (end > buffer.length) throw malformed('field length past the end of the body');
      fields.push({ field, wireType, bytes: buffer.subarray(start, end) });
      offset = end;
    } else if (wireType === 1 || wireType === 5) {
      offset = afterKey + (wireType === 1 ? 8 : 4);
      fields.push({ field, wireType });
    } else {
      throw malformed(`unsupported wire type ${wireType}`);
    }
  }
  return fields;
}

/** A signed 64-bit value from a varint (negative int32/int64 are sign-extended to 10 bytes). */
function signed(value: bigint): number {
  return Number(BigInt.asIntN(64, value));
}

function bytesOf(wire: WireField, where: string): Buffer {
  if (wire.bytes === undefined) throw malformed(`${where} is not length-delimited`);
  return wire.bytes;
}

function varintOf(wire: WireField, where: string): bigint {
  if (wire.varint === undefined) throw malformed(`${where} is not a varint`);
  return wire.varint;
}

function isEmpty(value: unknown): boolean {
  if (value === '' || value === 0 || value === false || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

function decodeTime(buffer: Buffer): string | undefined {
  let seconds = 0;
  for (const wire of readFields(buffer)) if (wire.field === 1) seconds = signed(varintOf(wire, 'Time.seconds'));
  // Go's zero time is sent as an empty message (or seconds at year 1): it means "not set".
  if (seconds <= 0) return undefined;
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function decodeIntOrString(buffer: Buffer): number | string {
  let type = 0;
  let intVal = 0;
  let strVal = '';
  for (const wire of readFields(buffer)) {
    if (wire.field === 1) type = signed(varintOf(wire, 'IntOrString.type'));
    else if (wire.field === 2) intVal = signed(varintOf(wire, 'IntOrString.intVal'));
    else if (wire.field === 3) strVal = bytesOf(wire, 'IntOrString.strVal').toString('utf8');
  }
  return type === 1 ? strVal : intVal;
}

function decodeValue(spec: FieldSpec, wire: WireField, where: string): unknown {
  switch (spec.type) {
    case 'string':
      return bytesOf(wire, where).toString('utf8');
    case 'bytes':
      return bytesOf(wire, where).toString('base64');
    case 'int':
      return signed(varintOf(wire, where));
    case 'bool':
      return varintOf(wire, where) !== 0n;
    case 'time':
      return decodeTime(bytesOf(wire, where));
    case 'quantity': {
      const value = readFields(bytesOf(wire, where)).find((field) => field.field === 1);
      return value ? bytesOf(value, where).toString('utf8') : '';
    }
    case 'intOrString':
      return decodeIntOrString(bytesOf(wire, where));
    default:
      return decodeMessage(spec.type, bytesOf(wire, where), where);
  }
}

function decodeMapEntry(spec: FieldSpec, wire: WireField, where: string): [string, unknown] {
  let key = '';
  let value: unknown = spec.type === 'string' || spec.type === 'bytes' || spec.type === 'quantity' ? '' : undefined;
  for (const part of readFields(bytesOf(wire, where))) {
    if (part.field === 1) key = bytesOf(part, `${where} key`).toString('utf8');
    else if (part.field === 2) value = decodeValue(spec, part, `${where}[${key}]`);
  }
  return [key, value];
}

function decodeMessage(type: string, buffer: Buffer, where: string): Record<string, unknown> {
  const layout = MESSAGES[type];
  if (!layout) throw unsupported(`the embedded cluster cannot decode protobuf ${type}`);
  const result: Record<string, unknown> = {};
  for (const wire of readFields(buffer)) {
    const spec = layout[wire.field];
    if (!spec) throw unsupported(`the embedded cluster cannot decode field ${wire.field} of protobuf ${type} (${where})`);
    if (spec.type === 'skip') continue;
    const path = `${where}.${spec.name}`;
    if (spec.map) {
      const [key, value] = decodeMapEntry(spec, wire, path);
      result[spec.name] = { ...(result[spec.name] as Record<string, unknown> | undefined), [key]: value };
    } else if (spec.repeated) {
      result[spec.name] = [...((result[spec.name] as unknown[] | undefined) ?? []), decodeValue(spec, wire, path)];
    } else {
      const value = decodeValue(spec, wire, path);
      if (spec.keep ? value !== undefined : !isEmpty(value)) result[spec.name] = value;
      else delete result[spec.name];
    }
  }
  return result;
}

/** Whether a Content-Type header names the Kubernetes protobuf encoding. */
export function isProtobuf(contentType: string): boolean {
  return contentType.split(';')[0]?.trim().toLowerCase() === PROTOBUF_MEDIA_TYPE;
}

/**
 * Decodes a protobuf-encoded object of a supported kind into its JSON form.
 * @throws ApiError 415 for a kind or field this server cannot decode, 400 for a malformed body.
 */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) throw malformed('missing the k8s\\0 prefix');
  let apiVersion = '';
  let kind = '';
  let raw: Buffer | undefined;
  for (const wire of readFields(body.subarray(MAGIC.length))) {
    if (wire.field === 1) {
      for (const part of readFields(bytesOf(wire, 'typeMeta'))) {
        if (part.field === 1) apiVersion = bytesOf(part, 'apiVersion').toString('utf8');
        else if (part.field === 2) kind = bytesOf(part, 'kind').toString('utf8');
      }
    } else if (wire.field === 2) {
      raw = bytesOf(wire, 'raw');
    } else if (wire.field === 3 && bytesOf(wire, 'contentEncoding').length > 0) {
      throw unsupported('compressed protobuf bodies are not supported');
    }
  }
  const message = PROTOBUF_KINDS[`${apiVersion}/${kind}`];
  if (!message) throw unsupported(`the embedded cluster decodes protobuf only for ${Object.keys(PROTOBUF_KINDS).join(', ')}, not ${apiVersion}/${kind}`);
  return { apiVersion, kind, ...decodeMessage(message, raw ?? Buffer.alloc(0), kind) };
}
