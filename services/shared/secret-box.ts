import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Encrypts secrets at rest with AES-256-GCM: registered kubeconfigs and config secrets alike,
 * with one key. The key comes from GANTRY_SECRET_KEY (any string; stretched with scrypt), so a
 * database dump alone reveals neither.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (secret.length < 16) throw new Error('GANTRY_SECRET_KEY must be at least 16 characters');
    this.key = scryptSync(secret, 'gantry-secret-box-v1', 32);
  }

  /** `v1.<iv>.<tag>.<ciphertext>`, base64url parts. */
  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  /** @throws when the text was not sealed with this key or was altered. */
  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('Unknown sealed secret format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/**
 * The key to use: GANTRY_SECRET_KEY, or else one generated once into `<dataDir>/secret.key`
 * (mode 600) so that a development install works without setup. Production should set the
 * variable and keep the key outside the data directory.
 */
export function resolveSecretKey(configured: string | undefined, keyFile: string): { key: string; generated: boolean } {
  if (configured) return { key: configured, generated: false };
  if (existsSync(keyFile)) return { key: readFileSync(keyFile, 'utf8').trim(), generated: false };
  mkdirSync(dirname(keyFile), { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(keyFile, key + '\n', { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  return { key, generated: true };
}

/**
 * The process's one SecretBox: GANTRY_SECRET_KEY, or the key file in `dataDir` (generated on
 * first use; `onGenerated` is told its path so the start can warn that production needs the variable).
 */
export function openSecretBox(configured: string | undefined, dataDir: string, onGenerated: (file: string) => void): SecretBox {
  const file = join(dataDir, 'secret.key');
  const secret = resolveSecretKey(configured, file);
  if (secret.generated) onGenerated(file);
  return new SecretBox(secret.key);
}
