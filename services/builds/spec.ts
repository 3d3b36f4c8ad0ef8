import { createHash } from 'node:crypto';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { normalizeWorkspacePath, systemVariableProblem, VARIABLE_NAME, workspacePathProblem } from './inputs.ts';

/**
 * The build spec: a small YAML document (the format is documented in the README's Builds
 * section). Parsing is pure: text in, a checked spec or a positioned error out.
 */
export interface BuildSpec {
  /** Defaults of the `${NAME}` placeholders. */
  variables: Record<string, string>;
  /** Branches whose pushes start a build; null = the repository's default branch. */
  branches: string[] | null;
  timeoutSeconds: number;
  prepare: PrepareSpec;
  build: { commands: string[] };
  artifacts: ArtifactSpec[];
  /** How a VM agent starts the app from its tarball (`run:`); null when the spec has none. */
  run: RunSpec | null;
}

/** `run: { command: [...], healthPath }`: argv run in the unpacked release (no shell), and its health path. */
export interface RunSpec {
  command: string[];
  healthPath: string;
}

const HEALTH_PATH = /^\/[A-Za-z0-9\-._~/]{0,199}$/;

export interface PrepareSpec {
  version: string;
  image: string;
  commands: string[];
  paths: string[];
}

export type ArtifactSpec =
  | { kind: 'image'; name: string; dockerfile: string | null; dockerfilePath: string | null }
  | { kind: 'tarball'; name: string; paths: string[] };

/** A refusal of a spec, with the 1-based line and column of the offending node. */
export class SpecError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/** Variables Gantry sets on every build; a spec may use them but not define them. */
export const BUILT_IN_VARIABLES = ['GANTRY_APP', 'GANTRY_PROJECT', 'GANTRY_COMMIT', 'GANTRY_BUILD_NUMBER', 'GANTRY_REF'] as const;
/** In a Dockerfile only: the image the build stage produced. */
export const BUILD_IMAGE_PLACEHOLDER = 'BUILD';

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const ARTIFACT_NAME = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;
const MAX_SPEC_BYTES = 64 * 1024;

/** The `${NAME}` placeholders in a text, each once. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/** Replaces every `${NAME}` that `values` has; leaves others as they are. */
export function substitute(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(values, name) ? values[name]! : whole));
}

/**
 * Parses and checks a spec.
 * @throws SpecError naming the problem and where it is.
 */
export function parseSpec(text: string): BuildSpec {
  if (Buffer.byteLength(text) > MAX_SPEC_BYTES) throw new SpecError(`The spec must be at most ${MAX_SPEC_BYTES} bytes`, 1, 1);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const fail = (message: string, node?: unknown): never => {
    const offset = (node as { range?: [number, number] } | undefined)?.range?.[0] ?? 0;
    const pos = lines.linePos(offset);
    throw new SpecError(`${message} (line ${pos.line}, column ${pos.col})`, pos.line, pos.col);
  };
  const [syntax] = doc.errors;
  if (syntax) {
    const pos = lines.linePos(syntax.pos[0]);
    const reason = syntax.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new SpecError(`The spec is not valid YAML: ${reason} (line ${pos.line}, column ${pos.col})`, pos.line, pos.col);
  }
  const root = doc.contents;
  if (!isMap(root)) return fail('The spec must be a YAML mapping with at least `prepare` and `build`', root);
  const r = new Reader(doc, fail);
  const top = r.mapping(root, '', ['variables', 'on', 'timeoutSeconds', 'prepare', 'build', 'artifacts', 'run']);

  const variables: Record<string, string> = {};
  if (top.variables) {
    const vars = r.mapping(top.variables, 'variables', null);
    for (const [name, node] of Object.entries(vars)) {
      if (!VARIABLE_NAME.test(name)) fail(`variables: "${name}" is not a variable name (letters, digits, '_')`, node);
      if ((BUILT_IN_VARIABLES as readonly string[]).includes(name) || name === BUILD_IMAGE_PLACEHOLDER) fail(`variables: ${name} is set by Gantry and cannot be defined`, node);
      const system = systemVariableProblem(name);
      if (system) fail(`variables: ${name} cannot be defined: ${system}; choose another name`, node);
      variables[name] = r.scalarText(node, `variables.${name}`);
    }
  }
  let branches: string[] | null = null;
  if (top.on) {
    const on = r.mapping(top.on, 'on', ['branches']);
    if (on.branches) branches = r.strings(on.branches, 'on.branches', 1);
  }
  const timeoutSeconds = top.timeoutSeconds ? r.integer(top.timeoutSeconds, 'timeoutSeconds', 1, 86_400) : 1800;

  if (!top.prepare) fail('The spec has no `prepare` section (prepare: { version, image, commands, paths })', root);
  const p = r.mapping(top.prepare!, 'prepare', ['version', 'image', 'commands', 'paths']);
  if (!p.image) fail('prepare: `image` (the builder image) is required', top.prepare);
  const prepare: PrepareSpec = {
    version: p.version ? r.scalarText(p.version, 'prepare.version') : '1',
    image: r.string(p.image!, 'prepare.image'),
    commands: p.commands ? r.strings(p.commands, 'prepare.commands', 0) : [],
    paths: p.paths ? r.paths(p.paths, 'prepare.paths') : [],
  };
  if (!top.build) fail('The spec has no `build` section (build: { commands: [...] })', root);
  const b = r.mapping(top.build!, 'build', ['commands']);
  const build = { commands: b.commands ? r.strings(b.commands, 'build.commands', 0) : [] };

  const artifacts: ArtifactSpec[] = [];
  if (top.artifacts) {
    if (!isSeq(top.artifacts)) fail('artifacts must be a list', top.artifacts);
    const seen = new Set<string>();
    for (const [i, item] of (top.artifacts as { items: unknown[] }).items.entries()) {
      const a = r.mapping(item as YamlNode, `artifacts[${i}]`, ['kind', 'name', 'dockerfile', 'dockerfilePath', 'paths']);
      if (!a.kind) fail(`artifacts[${i}]: \`kind\` (image or tarball) is required`, item);
      if (!a.name) fail(`artifacts[${i}]: \`name\` is required`, item);
      const kind = r.string(a.kind!, `artifacts[${i}].kind`);
      const name = r.string(a.name!, `artifacts[${i}].name`);
      if (!ARTIFACT_NAME.test(name)) fail(`artifacts[${i}].name must be lowercase letters, digits and '-', at most 40 characters`, a.name);
      if (seen.has(name)) fail(`artifacts[${i}].name: "${name}" is used by another artifact; names must be unique`, a.name);
      seen.add(name);
      if (kind === 'image') {
        if (a.paths) fail(`artifacts[${i}]: \`paths\` is for tarballs; an image takes dockerfile or dockerfilePath`, a.paths);
        if (!!a.dockerfile === !!a.dockerfilePath) fail(`artifacts[${i}]: an image needs exactly one of dockerfile (inline) and dockerfilePath`, item);
        const dockerfilePath = a.dockerfilePath ? r.paths(a.dockerfilePath, `artifacts[${i}].dockerfilePath`, true)[0]! : null;
        artifacts.push({ kind, name, dockerfile: a.dockerfile ? r.string(a.dockerfile, `artifacts[${i}].dockerfile`) : null, dockerfilePath });
      } else if (kind === 'tarball') {
        if (a.dockerfile || a.dockerfilePath) fail(`artifacts[${i}]: a tarball takes paths, not a Dockerfile`, a.dockerfile ?? a.dockerfilePath);
        if (!a.paths) fail(`artifacts[${i}]: a tarball needs \`paths\``, item);
        const paths = r.paths(a.paths!, `artifacts[${i}].paths`);
        if (paths.length === 0) fail(`artifacts[${i}].paths must name at least one path`, a.paths);
        artifacts.push({ kind, name, paths });
      } else {
        fail(`artifacts[${i}].kind must be image or tarball, not "${kind.slice(0, 40)}"`, a.kind);
      }
    }
  }
  let run: RunSpec | null = null;
  if (top.run) {
    const x = r.mapping(top.run, 'run', ['command', 'healthPath']);
    if (!x.command) fail('run: `command` (the argv that starts the app) is required', top.run);
    const healthPath = x.healthPath ? r.string(x.healthPath, 'run.healthPath') : '/';
    if (!HEALTH_PATH.test(healthPath) || healthPath.split('/').includes('..')) fail('run.healthPath must be an absolute path of letters, digits and - _ . ~ /', x.healthPath);
    run = { command: r.strings(x.command!, 'run.command', 1), healthPath };
  }
  // Every placeholder needs a value: a default here, or one Gantry sets.
  const known = new Set<string>([...Object.keys(variables), ...BUILT_IN_VARIABLES]);
  r.eachString((value, node, path) => {
    for (const name of placeholdersOf(value)) {
      if (known.has(name)) continue;
      if (name === BUILD_IMAGE_PLACEHOLDER && /^artifacts\[\d+\]\.dockerfile$/.test(path)) continue;
      fail(`${path}: placeholder \${${name}} has no value; add it under variables:`, node);
    }
  });
  return { variables, branches, timeoutSeconds, prepare, build, artifacts, run };
}

/** Walks YAML nodes, failing with positions; remembers every string it read for the placeholder check. */
class Reader {
  private readonly seen: { value: string; node: unknown; path: string }[] = [];
  constructor(
    readonly doc: Document,
    readonly fail: (message: string, node?: unknown) => never,
  ) {}

  mapping(node: unknown, path: string, keys: string[] | null): Record<string, YamlNode> {
    const where = path || 'the spec';
    if (!isMap(node)) return this.fail(`${where} must be a mapping`, node);
    const out: Record<string, YamlNode> = {};
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : null;
      if (key === null) this.fail(`${where}: keys must be plain names`, pair.key);
      if (keys && !keys.includes(key!)) this.fail(`${path ? `${path}: ` : ''}unknown key "${key!.slice(0, 40)}" (allowed: ${keys.join(', ')})`, pair.key);
      out[key!] = (pair.value ?? pair.key) as YamlNode;
    }
    return out;
  }

  scalarText(node: unknown, path: string): string {
    if (!isScalar(node) || node.value === null || typeof node.value === 'object') return this.fail(`${path} must be a string or number`, node);
    const value = String(node.value);
    if (value.length > 1000 || /[\u0000-\u001f]/.test(value)) this.fail(`${path} must be one line of at most 1000 characters`, node);
    this.seen.push({ value, node, path });
    return value;
  }

  string(node: unknown, path: string): string {
    if (!isScalar(node) || typeof node.value !== 'string' || node.value.length === 0) return this.fail(`${path} must be a non-empty string`, node);
    if (node.value.length > 16_000 || node.value.includes('\u0000')) this.fail(`${path} is too long`, node);
    this.seen.push({ value: node.value, node, path });
    return node.value;
  }

  strings(node: unknown, path: string, min: number): string[] {
    if (!isSeq(node)) return this.fail(`${path} must be a list`, node);
    if (node.items.length < min) this.fail(`${path} must have at least ${min} entry`, node);
    if (node.items.length > 100) this.fail(`${path} may have at most 100 entries`, node);
    return node.items.map((item, i) => this.string(item, `${path}[${i}]`));
  }

  paths(node: unknown, path: string, single = false): string[] {
    const list = single ? [node] : isSeq(node) ? node.items : this.fail(`${path} must be a list of paths`, node);
    return list.map((item, i) => {
      const where = single ? path : `${path}[${i}]`;
      if (!isScalar(item) || typeof item.value !== 'string') return this.fail(`${where} must be a path`, item);
      const problem = workspacePathProblem(item.value);
      if (problem) this.fail(`${where} ${problem}`, item);
      return normalizeWorkspacePath(item.value);
    });
  }

  integer(node: unknown, path: string, min: number, max: number): number {
    if (!isScalar(node) || !Number.isInteger(node.value) || (node.value as number) < min || (node.value as number) > max) {
      return this.fail(`${path} must be an integer from ${min} to ${max}`, node);
    }
    return node.value as number;
  }

  eachString(visit: (value: string, node: unknown, path: string) => void): void {
    for (const s of this.seen) visit(s.value, s.node, s.path);
  }
}

/**
 * The prepare stage's cache key: a hash of everything that decides its result (version, image,
 * commands, paths, and the values of the variables they use). Same key = reuse the image.
 */
export function prepareCacheKey(prepare: PrepareSpec, values: Record<string, string>): string {
  const used = placeholdersOf([prepare.image, ...prepare.commands].join('\n')).sort();
  const canonical = JSON.stringify({
    version: prepare.version,
    image: substitute(prepare.image, values),
    commands: prepare.commands,
    paths: prepare.paths,
    variables: used.map((name) => [name, values[name] ?? null]),
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}
