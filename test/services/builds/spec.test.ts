import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../../db/schema/enums.ts';
import { parseSpec, prepareCacheKey, SpecError } from '../../../services/builds/spec.ts';
import { allTemplates } from '../../../services/builds/templates.ts';

const VALID = `variables: { BASE: "registry.local/base/busybox:1" }
on: { branches: [main] }
timeoutSeconds: 1800
prepare: { version: "3", image: "\${BASE}", commands: ["mkdir -p deps", "fetch-deps > deps/list"], paths: [deps] }
build: { commands: ["make", "cp -r bin out/"] }
artifacts:
  - { kind: image, name: app, dockerfile: "FROM \${BASE}\\nCOPY out/ /app/\\n" }
  - { kind: tarball, name: dist, paths: [out] }
`;

function refusal(text: string): SpecError {
  try {
    parseSpec(text);
  } catch (error) {
    if (error instanceof SpecError) return error;
    throw error;
  }
  throw new Error('the spec was accepted');
}

describe('build spec', () => {
  it('should accept the issue example with every fixed key', () => {
    const spec = parseSpec(VALID);
    expect(spec.branches).toEqual(['main']);
    expect(spec.prepare).toEqual({ version: '3', image: '${BASE}', commands: ['mkdir -p deps', 'fetch-deps > deps/list'], paths: ['deps'] });
    expect(spec.artifacts.map((a) => [a.kind, a.name])).toEqual([
      ['image', 'app'],
      ['tarball', 'dist'],
    ]);
  });

  it('should give every language a template that parses, with its placeholders declared', () => {
    const templates = allTemplates();
    expect(templates.map((t) => t.language)).toEqual([...LANGUAGES]);
    for (const t of templates) {
      const spec = parseSpec(t.spec);
      expect(Object.keys(spec.variables).sort()).toEqual(t.variables.map((v) => v.name).sort());
      expect(spec.artifacts.map((a) => a.kind)).toEqual(['image', 'tarball']);
    }
  });

  it.each([
    ['bad YAML', 'prepare: [', 1, /not valid YAML/],
    ['an unknown key', 'prepare: { image: x }\nbuild: {}\nstages: 1\n', 3, /unknown key "stages"/],
    ['no build section', 'prepare: { image: x }\n', 1, /no `build` section/],
    ['duplicate artifact names', 'prepare: { image: x }\nbuild: {}\nartifacts:\n  - { kind: tarball, name: a, paths: [o] }\n  - { kind: tarball, name: a, paths: [o] }\n', 5, /names must be unique/],
    ['a placeholder with no value', 'prepare: { image: x }\nbuild: { commands: ["echo ${NOPE}"] }\n', 2, /\$\{NOPE\} has no value/],
    ['a path with ..', 'prepare: { image: x, paths: [../etc] }\nbuild: {}\n', 1, /must not contain "\.\."/],
    ['an absolute path', 'prepare: { image: x }\nbuild: {}\nartifacts:\n  - { kind: tarball, name: a, paths: [/etc] }\n', 4, /relative/],
    ['a dockerfilePath leaving the repository', 'prepare: { image: x }\nbuild: {}\nartifacts:\n  - { kind: image, name: a, dockerfilePath: ../Dockerfile }\n', 4, /\.\./],
    ['a path that reads as an option', 'prepare: { image: x, paths: [--checkpoint-action=exec=sh] }\nbuild: {}\n', 1, /must not start with '-'/],
    ['a variable named like a built-in', 'variables: { GANTRY_COMMIT: x }\nprepare: { image: x }\nbuild: {}\n', 1, /set by Gantry/],
    ['a variable named like a system one', 'prepare: { image: x }\nbuild: {}\nvariables:\n  PATH: /opt/bin\n', 4, /PATH cannot be defined: PATH is a system environment variable/],
    ['a variable of a reserved family', 'variables: { LD_PRELOAD: /x.so }\nprepare: { image: x }\nbuild: {}\n', 1, /names starting with LD_ are reserved/],
    ['a variable of Gantry\'s family', 'variables: { GANTRY_TOKEN: x }\nprepare: { image: x }\nbuild: {}\n', 1, /names starting with GANTRY_ are reserved for the variables Gantry sets/],
    ['a timeout out of range', 'timeoutSeconds: 0\nprepare: { image: x }\nbuild: {}\n', 1, /timeoutSeconds/],
  ])('should refuse %s with its line', (_, text, line, message) => {
    const error = refusal(text);
    expect(error.message).toMatch(message);
    expect(error.line).toBe(line);
    expect(error.column).toBeGreaterThanOrEqual(1);
    expect(error.message).toContain(`(line ${error.line}, column ${error.column})`);
  });

  it('should key the prepare stage by its section and the variables it uses, not by others', () => {
    const spec = parseSpec(VALID);
    const key = prepareCacheKey(spec.prepare, { BASE: 'r/base:1', OTHER: 'a' });
    expect(prepareCacheKey(spec.prepare, { BASE: 'r/base:1', OTHER: 'b' })).toBe(key);
    expect(prepareCacheKey(spec.prepare, { BASE: 'r/base:2', OTHER: 'a' })).not.toBe(key);
    expect(prepareCacheKey({ ...spec.prepare, version: '4' }, { BASE: 'r/base:1' })).not.toBe(key);
    expect(prepareCacheKey({ ...spec.prepare, paths: ['deps', 'more'] }, { BASE: 'r/base:1' })).not.toBe(key);
  });
});
