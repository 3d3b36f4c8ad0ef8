import { substitute, BUILD_IMAGE_PLACEHOLDER, prepareCacheKey, type BuildSpec } from './spec.ts';

/**
 * The same stages as the local executor (pipeline.ts), rendered as a Kubernetes Job for
 * clusters where the Gantry host has no buildah: one pod running a builder image with buildah
 * and git (e.g. quay.io/buildah/stable), privileged enough for `--isolation chroot`. The script
 * is fixed; everything from the spec and the build reaches it as environment variables, read
 * with printenv and handed to buildah as argv, so no spec value is ever parsed by the shell.
 */
export interface BuildJobInput {
  buildId: string;
  number: number;
  project: string;
  app: string;
  repoUrl: string;
  commit: string;
  spec: BuildSpec;
  /** Resolved variables, Gantry's own included. */
  values: Record<string, string>;
  /** `host[:port]` of the registry the Job pushes to. */
  registry: string;
  namespace: string;
  builderImage: string;
}

/**
 * `run_list <container> <prefix>`: the commands <prefix>0, <prefix>1 … in one shell in the
 * container, as the local executor runs a stage (tools.ts `script`): echoed as `$ <command>`,
 * evaluated in order, the first failure ending the stage. Exported for its test.
 */
export const RUN_LIST = [
  "run_list() { ctr=$1; prefix=$2; set --; i=0",
  "  while cmd=$(printenv \"$prefix$i\"); do set -- \"$@\" \"$cmd\"; i=$((i+1)); done",
  "  [ $# -eq 0 ] || b run --isolation chroot --workingdir /workspace \"$ctr\" -- /bin/sh -c 'set -e; for gantry_command in \"$@\"; do printf \"\\$ %s\\n\" \"$gantry_command\"; eval \"$gantry_command\"; done' sh \"$@\"; }",
].join('\n');

// The Job's script: checkout → prepare (skipped when the cache key's image exists) → build →
// one image per IMAGE_<i>_* group and one tarball image per TARBALL_<i>_* group. Lists are
// numbered variables (PREPARE_CMD_0, PREPARE_CMD_1 …) so the script needs no parsing.
const SCRIPT = [
  "set -eu",
  "b() { buildah --storage-driver vfs \"$@\"; }",
  "tls=\"--tls-verify=$REGISTRY_TLS_VERIFY\"",
  "git clone --quiet --no-checkout -- \"$GIT_URL\" /work/src",
  "git -C /work/src checkout --quiet --detach \"$GIT_COMMIT\"",
  "rm -rf /work/src/.git",
  RUN_LIST,
  "if b pull --quiet $tls \"$PREPARE_REF\" >/dev/null 2>&1; then echo \"prepare: reusing $PREPARE_REF\"; else",
  "  ctr=$(b from --quiet $tls \"$PREPARE_IMAGE\"); b copy \"$ctr\" /work/src/ /workspace; run_list \"$ctr\" PREPARE_CMD_",
  "  set --; i=0; while p=$(printenv \"PREPARE_PATH_$i\"); do set -- \"$@\" \"$p\"; i=$((i+1)); done",
  "  b run --isolation chroot \"$ctr\" -- /bin/sh -c 'set -e; cd /workspace; mkdir -p /.gantry-keep; for p in \"$@\"; do if [ -e \"$p\" ]; then mkdir -p \"/.gantry-keep/$(dirname \"$p\")\"; mv \"$p\" \"/.gantry-keep/$p\"; fi; done; cd /; rm -rf /workspace; mv /.gantry-keep /workspace' sh \"$@\"",
  "  b commit --quiet \"$ctr\" \"$PREPARE_REF\"; b push --quiet $tls \"$PREPARE_REF\" \"docker://$PREPARE_REF\"; fi",
  "ctr=$(b from --quiet $tls \"$PREPARE_REF\"); b copy \"$ctr\" /work/src/ /workspace; run_list \"$ctr\" BUILD_CMD_",
  "b commit --quiet \"$ctr\" \"$BUILD_IMAGE\"; mnt=$(b mount \"$ctr\"); cp -a \"$mnt/workspace\" /work/workspace",
  "i=0; while ref=$(printenv \"IMAGE_${i}_REF\"); do",
  "  if f=$(printenv \"IMAGE_${i}_DOCKERFILE_PATH\"); then cp -- \"/work/workspace/$f\" \"/work/Dockerfile.$i\"; else printenv \"IMAGE_${i}_DOCKERFILE\" > \"/work/Dockerfile.$i\"; fi",
  "  b bud --isolation chroot $tls -f \"/work/Dockerfile.$i\" -t \"$ref\" /work/workspace; b push $tls --digestfile \"/work/digest.$i\" \"$ref\" \"docker://$ref\"",
  "  echo \"artifact image $ref@$(cat /work/digest.$i)\"; i=$((i+1)); done",
  "i=0; while ref=$(printenv \"TARBALL_${i}_REF\"); do set --; j=0; while p=$(printenv \"TARBALL_${i}_PATH_$j\"); do set -- \"$@\" \"$p\"; j=$((j+1)); done",
  "  tar -czf \"/work/tarball.$i.tar.gz\" -C /work/workspace -- \"$@\"; ctr=$(b from scratch); b copy \"$ctr\" \"/work/tarball.$i.tar.gz\" \"/$(printenv \"TARBALL_${i}_NAME\").tar.gz\"",
  "  b commit --quiet \"$ctr\" \"$ref\"; b push $tls --digestfile \"/work/tdigest.$i\" \"$ref\" \"docker://$ref\"; echo \"artifact tarball $ref@$(cat /work/tdigest.$i)\"; i=$((i+1)); done",
].join('\n');

/** A batch/v1 Job that runs the build's stages in the cluster. */
export function buildJobManifest(input: BuildJobInput): Record<string, unknown> {
  const { spec, values } = input;
  const env: Record<string, string> = {};
  const loopback = /^(localhost|127\.|\[::1\])/.test(input.registry);
  const prepareRef = `${input.registry}/${input.project}/${input.app}-prepare:${prepareCacheKey(spec.prepare, values)}`;
  const buildImage = `localhost/gantry/build-${input.buildId}:latest`;
  Object.assign(env, { GIT_URL: input.repoUrl, GIT_COMMIT: input.commit, REGISTRY_TLS_VERIFY: String(!loopback), PREPARE_REF: prepareRef, PREPARE_IMAGE: substitute(spec.prepare.image, values), BUILD_IMAGE: buildImage });
  spec.prepare.commands.forEach((c, i) => (env[`PREPARE_CMD_${i}`] = c));
  spec.prepare.paths.forEach((p, i) => (env[`PREPARE_PATH_${i}`] = p));
  spec.build.commands.forEach((c, i) => (env[`BUILD_CMD_${i}`] = c));
  let images = 0;
  let tarballs = 0;
  for (const artifact of spec.artifacts) {
    if (artifact.kind === 'image') {
      const repository = images === 0 ? input.app : `${input.app}-${artifact.name}`;
      env[`IMAGE_${images}_REF`] = `${input.registry}/${input.project}/${repository}:b${input.number}`;
      // An inline Dockerfile has its placeholders replaced here; a dockerfilePath is used as the
      // repository has it (the Job does not rewrite files it reads from the workspace).
      if (artifact.dockerfile !== null) env[`IMAGE_${images}_DOCKERFILE`] = substitute(artifact.dockerfile, { ...values, [BUILD_IMAGE_PLACEHOLDER]: buildImage });
      else env[`IMAGE_${images}_DOCKERFILE_PATH`] = artifact.dockerfilePath!;
      images += 1;
    } else {
      env[`TARBALL_${tarballs}_REF`] = `${input.registry}/${input.project}/${input.app}-${artifact.name}-tarball:b${input.number}`;
      env[`TARBALL_${tarballs}_NAME`] = artifact.name;
      artifact.paths.forEach((p, j) => (env[`TARBALL_${tarballs}_PATH_${j}`] = p));
      tarballs += 1;
    }
  }
  // Spec variables reach commands as environment variables, as with the local executor.
  for (const [name, value] of Object.entries(values)) env[name] ??= value;
  const labels = { 'app.kubernetes.io/name': input.app, 'app.kubernetes.io/managed-by': 'gantry', 'gantry.io/build': String(input.number) };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `${input.app}-build-${input.number}`.slice(0, 63), namespace: input.namespace, labels },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: spec.timeoutSeconds,
      ttlSecondsAfterFinished: 3600,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'build',
              image: input.builderImage,
              command: ['/bin/sh', '-c', SCRIPT],
              env: Object.entries(env).map(([name, value]) => ({ name, value })),
              workingDir: '/work',
              // buildah with chroot isolation and vfs storage needs these, not a privileged pod.
              securityContext: { capabilities: { add: ['SETUID', 'SETGID', 'SYS_CHROOT', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER'] } },
              volumeMounts: [{ name: 'work', mountPath: '/work' }],
            },
          ],
          volumes: [{ name: 'work', emptyDir: {} }],
        },
      },
    },
  };
}
