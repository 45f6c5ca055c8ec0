// A hash of what an image is built from: the same build context and build settings give the
// same hash, any change a new one. It is the first part of the image tag (modelImage.ts).
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import dockerignore from "@balena/dockerignore";

/** The files Docker would send as the build context: every file not excluded by .dockerignore. */
export function contextFiles(context: string): string[] {
  const ignoreFile = path.join(context, ".dockerignore");
  const ignore = dockerignore().add(fs.existsSync(ignoreFile) ? fs.readFileSync(ignoreFile, "utf8").split(/\r?\n/) : []);
  const files: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of fs.readdirSync(path.join(context, relative), { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (ignore.ignores(child)) {
        continue;
      }
      if (entry.isDirectory()) {
        walk(child);
      } else if (entry.isFile()) {
        files.push(child);
      }
    }
  };
  walk("");
  return files.sort();
}

/** The build args the program passes: the one port becomes the image's default PORT. */
export function imageBuildArgs(port: number): Record<string, string> {
  return { PORT: String(port) };
}

/**
 * A 16-hex-digit tag over the context's files (names and bytes), the Dockerfile and the
 * build settings (platform, build args), so a different port or CPU never reuses a tag.
 */
export function contentHash(context: string, dockerfile: string, settings: Record<string, string>): string {
  if (!fs.existsSync(context) || !fs.statSync(context).isDirectory()) {
    throw new Error(`build context "${context}" is not a folder; set model-serving:build.context`);
  }
  const hash = crypto.createHash("sha256");
  for (const file of contextFiles(context)) {
    hash.update(`file ${file}\0`).update(fs.readFileSync(path.join(context, file))).update("\0");
  }
  hash.update(`dockerfile\0`).update(fs.readFileSync(dockerfile)).update("\0");
  for (const name of Object.keys(settings).sort()) {
    hash.update(`setting ${name}=${settings[name]}\0`);
  }
  return hash.digest("hex").slice(0, 16);
}
