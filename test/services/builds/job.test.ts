import { spawnSync } from 'node:child_process';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { describe, expect, it } from 'vitest';
import { buildJobManifest, RUN_LIST } from '../../../services/builds/job.ts';
import { parseSpec } from '../../../services/builds/spec.ts';

const SPEC = parseSpec(`variables: { BASE: "registry.local/base/busybox:1" }
prepare: { version: "2", image: "\${BASE}", commands: ["mkdir -p deps", "echo '$(reboot)' > deps/x"], paths: [deps] }
build: { commands: ["make"] }
artifacts:
  - { kind: image, name: app, dockerfile: "FROM \${BUILD}\\nCOPY out/ /app/\\n" }
  - { kind: image, name: tools, dockerfilePath: deploy/Dockerfile }
  - { kind: tarball, name: dist, paths: [out, docs] }
`);

const render = (spec = SPEC) =>
  buildJobManifest({
    buildId: '3f1c0e4e-0000-4000-8000-000000000001',
    number: 7,
    project: 'shop',
    app: 'checkout',
    repoUrl: 'https://git.example.com/shop/checkout.git',
    commit: 'a'.repeat(40),
    spec,
    values: { ...spec.variables, GANTRY_COMMIT: 'a'.repeat(40) },
    registry: 'registry.example.com',
    namespace: 'gantry-builds',
    builderImage: 'quay.io/buildah/stable:v1.28',
  }) as any;

describe('build as a Kubernetes Job', () => {
  it('should render a Job that passes the Kubernetes schema, with a shell script that parses', () => {
    const job = render();
    expect(() => new Job(job).validate()).not.toThrow();
    const [container] = job.spec.template.spec.containers;
    expect(spawnSync('sh', ['-n', '-c', container.command[2]]).status).toBe(0);
    expect(job.spec.activeDeadlineSeconds).toBe(1800);
    expect(job.metadata.name).toBe('checkout-build-7');
  });

  it('should keep the script fixed and hand every spec value over as an environment variable', () => {
    const job = render();
    const other = render(parseSpec('prepare: { image: x }\nbuild: { commands: ["rm -rf /"] }\n'));
    const script = job.spec.template.spec.containers[0].command[2];
    expect(other.spec.template.spec.containers[0].command[2]).toBe(script);
    expect(script).not.toContain('reboot');
    const env = Object.fromEntries(job.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({
      PREPARE_IMAGE: 'registry.local/base/busybox:1',
      PREPARE_CMD_1: "echo '$(reboot)' > deps/x",
      PREPARE_PATH_0: 'deps',
      BUILD_CMD_0: 'make',
      IMAGE_0_REF: 'registry.example.com/shop/checkout:b7',
      IMAGE_0_DOCKERFILE: 'FROM localhost/gantry/build-3f1c0e4e-0000-4000-8000-000000000001:latest\nCOPY out/ /app/\n',
      IMAGE_1_REF: 'registry.example.com/shop/checkout-tools:b7',
      IMAGE_1_DOCKERFILE_PATH: 'deploy/Dockerfile',
      TARBALL_0_PATH_1: 'docs',
      REGISTRY_TLS_VERIFY: 'true',
      BASE: 'registry.local/base/busybox:1',
    });
    expect(env.PREPARE_REF).toMatch(/^registry\.example\.com\/shop\/checkout-prepare:[0-9a-f]{32}$/);
  });

  it("should run a stage's commands in one shell, echoed, stopping at the first failure", () => {
    // `b run <options> <ctr> -- <argv>` stands in for buildah here (no container runtime in a unit
    // test): it drops everything up to `--` and runs the argv on the host.
    const fakeBuildah = 'b() { while [ "$1" != "--" ]; do shift; done; shift; "$@"; }';
    const run = (commands: string[]) =>
      spawnSync('sh', ['-c', `${fakeBuildah}\n${RUN_LIST}\nrun_list ctr CMD_`], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, ...Object.fromEntries(commands.map((c, i) => [`CMD_${i}`, c])) },
      });
    const ok = run(['x=1', 'cd /', 'echo "$x $PWD"']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe('$ x=1\n$ cd /\n$ echo "$x $PWD"\n1 /\n');
    const failed = run(['echo one', 'exit 3', 'echo never']);
    expect(failed.status).toBe(3);
    expect(failed.stdout).toBe('$ echo one\none\n$ exit 3\n');
  });
});
