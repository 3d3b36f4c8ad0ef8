/**
 * Reading request bodies and writing JSON and `Status` responses.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest } from '../errors.ts';
import { decodeProtobufObject, isProtobuf } from '../protobuf.ts';

const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Writes a JSON body with a status code. */
export function sendJson(response: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

/** Writes an error as the API server does: the HTTP code and a `Status` body. */
export function sendError(response: ServerResponse, error: ApiError): void {
  const headers: Record<string, string> = {};
  if (error.details?.retryAfterSeconds !== undefined) headers['Retry-After'] = String(error.details.retryAfterSeconds);
  if (response.headersSent) {
    response.end();
    return;
  }
  sendJson(response, error.code, error.toStatus(), headers);
}

/** Reads the raw request body as text. */
export async function readText(request: IncomingMessage): Promise<string> {
  return (await readBytes(request)).toString('utf8');
}

/** Reads the raw request body. */
async function readBytes(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'BadRequest', 'Request entity too large: limit is 8MiB');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads and decodes a JSON, YAML or (for the kinds in protobuf-schema.ts) protobuf request
 * body; an empty body is `undefined`.
 * @throws ApiError 400 when it cannot be decoded, 415 for an encoding or protobuf kind it does not decode.
 */
export async function readBody(request: IncomingMessage): Promise<unknown> {
  const bytes = await readBytes(request);
  const contentType = request.headers['content-type'] ?? 'application/json';
  if (bytes.length > 0 && isProtobuf(contentType)) return decodeProtobufObject(bytes);
  const text = bytes.toString('utf8');
  if (text.trim() === '') return undefined;
  if (contentType.includes('protobuf') || contentType.includes('cbor')) {
    // A 415 makes client-go retry CBOR requests as JSON (it never does so for protobuf).
    throw new ApiError(415, 'UnsupportedMediaType', `the embedded cluster accepts only JSON and YAML bodies (and protobuf for core kinds), not ${contentType}`);
  }
  try {
    if (contentType.includes('yaml')) return parseYaml(text) as unknown;
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(error as Error).message}`);
  }
}
