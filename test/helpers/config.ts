import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseSettings, Settings } from "../../core/config/settings";

/** A throwaway project folder with a tiny build context, so tests do not depend on app/. */
export function fixtureProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "model-serving-test-"));
  fs.mkdirSync(path.join(dir, "app"));
  fs.writeFileSync(path.join(dir, "app", "Dockerfile"), 'FROM python:3.11-slim\nARG PORT=8000\nCMD ["python", "-m", "model_server"]\n');
  fs.writeFileSync(path.join(dir, "app", "server.py"), "print('serving')\n");
  fs.writeFileSync(path.join(dir, "app", ".dockerignore"), ".venv\n__pycache__\n");
  return dir;
}

export const PROJECT_DIR = fixtureProject();

/** A valid config map: the defaults plus the one thing that has none (which node roles to grant). */
export function validConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    "aws:region": "ap-northeast-2",
    "model-serving:nodeRoleAccess": { roleNames: ["eks-node-role"] },
    ...overrides,
  };
}

export function settingsWith(overrides: Record<string, unknown> = {}, stack = "test"): Settings {
  return parseSettings(validConfig(overrides), { stack, projectDir: PROJECT_DIR });
}

/** Config as the Pulumi engine hands it to a program: every value a string, objects as JSON. */
export function asEngineConfig(config: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
}
