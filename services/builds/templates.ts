import type { Language } from '../../resolvers/types.generated.ts';
import { LANGUAGES } from '../../db/schema/enums.ts';

/** A placeholder of a template, as `buildTemplates` lists it. */
export interface TemplateVariable {
  name: string;
  description: string;
  default: string;
}

/** A language's starting spec. */
export interface BuildTemplate {
  language: Language;
  spec: string;
  variables: TemplateVariable[];
}

interface Recipe {
  builder: string;
  base: string;
  prepare: string[];
  paths: string[];
  build: string[];
  /** What the build writes to `out/`, copied into the image under /app. */
  run: string;
}

// One recipe per language: the prepare stage fetches dependencies into `paths` (cached by the
// prepare version), the build stage compiles into out/, the image copies out/ onto the base.
const RECIPES: Record<Language, Recipe> = {
  JAVA: {
    builder: 'maven:3.9-eclipse-temurin-21',
    base: 'eclipse-temurin:21-jre',
    prepare: ['mvn -B -Dmaven.repo.local=.m2 dependency:go-offline'],
    paths: ['.m2'],
    build: ['mvn -B -o -Dmaven.repo.local=.m2 package -DskipTests', 'mkdir -p out && cp target/*.jar out/app.jar'],
    run: 'CMD ["java", "-jar", "/app/app.jar"]',
  },
  GO: {
    builder: 'golang:1.22',
    base: 'gcr.io/distroless/static-debian12',
    prepare: ['GOMODCACHE=$PWD/.gomod go mod download'],
    paths: ['.gomod'],
    build: ['mkdir -p out && GOMODCACHE=$PWD/.gomod CGO_ENABLED=0 go build -o out/app ./...'],
    run: 'CMD ["/app/app"]',
  },
  NODE: {
    builder: 'node:20-bookworm',
    base: 'node:20-bookworm-slim',
    prepare: ['npm ci --no-audit --no-fund'],
    paths: ['node_modules'],
    build: ['npm run build --if-present', 'mkdir -p out && cp -r package.json node_modules dist out/ 2>/dev/null || cp -r . out/'],
    run: 'CMD ["node", "/app/dist/index.js"]',
  },
  PYTHON: {
    builder: 'python:3.12',
    base: 'python:3.12-slim',
    prepare: ['python -m venv .venv', '.venv/bin/pip install -r requirements.txt'],
    paths: ['.venv'],
    build: ['mkdir -p out && cp -r . out/'],
    run: 'CMD ["/app/.venv/bin/python", "/app/main.py"]',
  },
  PHP: {
    builder: 'composer:2',
    base: 'php:8.3-apache',
    prepare: ['composer install --no-dev --no-interaction --no-scripts'],
    paths: ['vendor'],
    build: ['mkdir -p out && cp -r . out/'],
    run: '',
  },
  OTHER: {
    builder: 'busybox:1',
    base: 'busybox:1',
    prepare: [],
    paths: [],
    build: ['mkdir -p out && cp -r . out/ 2>/dev/null || true'],
    run: 'CMD ["httpd", "-f", "-h", "/app"]',
  },
};

const quote = (s: string) => JSON.stringify(s);

/** Renders a language's template: valid spec YAML with `${VARIABLE}` placeholders and defaults. */
export function templateFor(language: Language): BuildTemplate {
  const r = RECIPES[language];
  const dockerfile = `FROM \${BASE_IMAGE}\nCOPY out/ /app/\n${r.run ? `${r.run}\n` : ''}`;
  const spec = [
    `# Build spec for a ${language} app. \${NAME} placeholders take their values from variables:`,
    `# (createBuild(input: { variables }) overrides them; Gantry adds GANTRY_APP, GANTRY_COMMIT, …).`,
    'variables:',
    `  BUILDER_IMAGE: ${quote(r.builder)}`,
    `  BASE_IMAGE: ${quote(r.base)}`,
    'timeoutSeconds: 1800',
    'prepare:',
    '  version: "1"          # bump to rebuild the cached dependencies',
    '  image: "${BUILDER_IMAGE}"',
    `  commands: [${r.prepare.map(quote).join(', ')}]`,
    `  paths: [${r.paths.map(quote).join(', ')}]`,
    'build:',
    `  commands: [${r.build.map(quote).join(', ')}]`,
    'artifacts:',
    `  - { kind: image, name: app, dockerfile: ${quote(dockerfile)} }`,
    '  - { kind: tarball, name: dist, paths: [out] }',
    '',
  ].join('\n');
  return {
    language,
    spec,
    variables: [
      { name: 'BUILDER_IMAGE', description: 'Image the prepare and build stages run in (compilers, package managers).', default: r.builder },
      { name: 'BASE_IMAGE', description: 'Image the app image is built FROM (the runtime).', default: r.base },
    ],
  };
}

/** One template per language, in the SDL's order. */
export function allTemplates(): BuildTemplate[] {
  return LANGUAGES.map(templateFor);
}
