// The model server image, built from app/ by the Docker engine with the Dockerfile and build
// args the program's ModelImage uses, pushed to the test registry, and referenced by digest.
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { contentHash, imageBuildArgs } from "../core/buildContext";
import { Settings } from "../core/config/settings";

const run = promisify(execFile);

export interface BuiltImage {
  /** `registry/repository@sha256:…`, as the program deploys it. */
  readonly digestRef: string;
  readonly buildMs: number;
  readonly pushMs: number;
}

export async function buildAndPush(registry: string, s: Settings): Promise<BuiltImage> {
  const args = imageBuildArgs(s.port);
  const tag = `${registry}/model-serving-e2e/${s.modelName}:${contentHash(s.build.context, s.build.dockerfile, { platform: s.build.platform, ...args })}`;
  const buildArgs = Object.entries(args).flatMap(([k, v]) => ["--build-arg", `${k}=${v}`]);
  // --network host: engines without a bridge (this project's toolchain) need it for pip; elsewhere it is harmless.
  const docker = (argv: string[]) => run("docker", argv, { maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60 * 1000 });
  let start = Date.now();
  await docker(["build", "--network", "host", "--platform", s.build.platform, "-f", s.build.dockerfile, ...buildArgs, "-t", tag, s.build.context]);
  const buildMs = Date.now() - start;
  start = Date.now();
  await docker(["push", tag]);
  const pushMs = Date.now() - start;
  const { stdout } = await docker(["inspect", "--format", "{{json .RepoDigests}}", tag]);
  const repository = tag.slice(0, tag.lastIndexOf(":"));
  const digestRef = (JSON.parse(stdout) as string[]).find((d) => d.startsWith(`${repository}@`));
  if (!digestRef) throw new Error(`docker push ${tag} left no digest for ${repository}: ${stdout.trim()}`);
  return { digestRef, buildMs, pushMs };
}

/**
 * Another image made from the pushed one (`FROM <digest>` plus a few lines), pushed and referenced
 * by digest: a second model version for the canary scenarios without a second build.
 */
export function derivedImage(base: string, variant: string, lines: string[]): string {
  const repository = base.slice(0, base.indexOf("@"));
  const tag = `${repository}:${variant}`;
  const docker = (argv: string[], input?: string) =>
    execFileSync("docker", argv, { input, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], timeout: 5 * 60 * 1000, maxBuffer: 64 * 1024 * 1024 });
  docker(["build", "--network", "host", "-t", tag, "-"], [`FROM ${base}`, ...lines].join("\n") + "\n");
  docker(["push", tag]);
  const digests = JSON.parse(docker(["inspect", "--format", "{{json .RepoDigests}}", tag])) as string[];
  const digestRef = digests.find((d) => d.startsWith(`${repository}@`));
  if (!digestRef) throw new Error(`docker push ${tag} left no digest: ${digests.join(", ")}`);
  return digestRef;
}

/** The server with a change to its code (e2e/variants/variant_server.py, VARIANT: marked, errors or slow), as a derived image. */
export function serverVariantImage(base: string, variant: "marked" | "errors" | "slow"): string {
  const code = fs.readFileSync(path.join(__dirname, "variants", "variant_server.py")).toString("base64");
  return derivedImage(base, `server-${variant}`, [
    "USER 0",
    `RUN echo ${code} | base64 -d > /app/variant_server.py`,
    "USER 10001:10001",
    `ENV VARIANT=${variant}`,
    'CMD ["python", "/app/variant_server.py"]',
  ]);
}
