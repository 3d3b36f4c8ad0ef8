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
      `${field} "${value}" must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit`,
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
