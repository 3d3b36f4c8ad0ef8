import { badInput } from './errors.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Checks a DNS-1123 label (what Kubernetes accepts as a name): lowercase alphanumerics and
 * '-', starting and ending alphanumeric, at most `max` characters.
 * @throws BAD_USER_INPUT naming `field`.
 */
export function requireDnsLabel(field: string, value: string, max = 63): string {
  if (value.length === 0) throw badInput(field, `${field} must not be empty`);
  if (value.length > max) throw badInput(field, `${field} must be at most ${max} characters`);
  if (!DNS_LABEL.test(value)) {
    throw badInput(
      field,
      `${field} must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit`,
    );
  }
  return value;
}

/** Trims and bounds free text. @throws BAD_USER_INPUT when empty (if required) or too long. */
export function requireText(field: string, value: string, max: number, options: { allowEmpty?: boolean } = {}): string {
  const trimmed = value.trim();
  if (!options.allowEmpty && trimmed.length === 0) throw badInput(field, `${field} must not be empty`);
  if (trimmed.length > max) throw badInput(field, `${field} must be at most ${max} characters`);
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(trimmed)) throw badInput(field, `${field} contains control characters`);
  return trimmed;
}

/** An integer within bounds. @throws BAD_USER_INPUT naming `field`. */
export function requireIntInRange(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badInput(field, `${field} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** A git remote: http(s), ssh:// or scp-like `git@host:path`. */
export function requireRepoUrl(field: string, value: string): string {
  const v = requireText(field, value, 2048);
  const scpLike = /^[\w.-]+@[\w.-]+:[\w./~-]+$/;
  if (scpLike.test(v)) return v;
  try {
    const u = new URL(v);
    if (['http:', 'https:', 'ssh:', 'git:'].includes(u.protocol) && u.hostname) return v;
  } catch {
    // fall through to the error below
  }
  throw badInput(field, `${field} must be an http(s), ssh or git URL`);
}

/** The Docker/OCI reference grammar (distribution/reference), part by part. */
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6_HOST = /^\[[a-fA-F0-9:]+\]$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
/** distribution/reference's NameTotalLengthMax. */
const MAX_IMAGE_NAME = 255;

/**
 * An image reference: `[host[:port]/]path[:tag][@sha256:digest]`, checked against the Docker
 * reference grammar: host parts are letters, digits and inner '-' (or a bracketed IPv6 address),
 * the port 1–65535, path parts lowercase alphanumerics joined by '.', '_', '__' or dashes, the tag
 * at most 128 characters, the name at most 255. The first part is the registry only when it has
 * a '.' or ':' or is `localhost`, as for `docker pull`.
 * @throws BAD_USER_INPUT naming `field` and the part that is wrong (never echoing the value).
 */
export function requireImageReference(field: string, value: string): string {
  const example = 'e.g. registry.example.com:5000/team/app:1.4.2';
  const fail = (what: string) => badInput(field, `${field} is not a valid image reference: ${what} (${example})`);
  const image = value.trim();
  if (image.length === 0) throw badInput(field, `${field} must not be empty`);
  if (image.length > 512) throw fail('longer than 512 characters');
  const at = image.indexOf('@');
  const named = at === -1 ? image : image.slice(0, at);
  if (at !== -1 && !DIGEST.test(image.slice(at + 1))) throw fail('the digest must be sha256: and 64 lowercase hex digits');
  const lastSlash = named.lastIndexOf('/');
  const colon = named.indexOf(':', lastSlash + 1);
  const name = colon === -1 ? named : named.slice(0, colon);
  if (colon !== -1 && !TAG.test(named.slice(colon + 1))) {
    throw fail("the tag must be 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'");
  }
  if (name.length > MAX_IMAGE_NAME) throw fail(`the name is longer than ${MAX_IMAGE_NAME} characters`);
  const parts = name.split('/');
  const first = parts[0]!;
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())) {
    parts.shift();
    const portAt = first.startsWith('[') ? first.indexOf(':', first.indexOf(']')) : first.indexOf(':');
    const host = portAt === -1 ? first : first.slice(0, portAt);
    if (!IPV6_HOST.test(host) && !host.split('.').every((part) => DOMAIN_COMPONENT.test(part))) {
      throw fail("each dot-separated part of the registry host must be letters, digits and '-', starting and ending with a letter or digit");
    }
    if (portAt !== -1) {
      const port = first.slice(portAt + 1);
      if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) throw fail('the registry port must be a number from 1 to 65535');
    }
  }
  if (!parts.every((part) => PATH_COMPONENT.test(part))) {
    throw fail("each path part must be lowercase letters and digits, joined by '.', '_', '__' or '-'");
  }
  return image;
}
