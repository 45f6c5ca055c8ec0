// The one port: one container port, every probe on it, none of Knative's, PORT as the mode wants.
import { isKnative, isStandard } from "../core/deploymentMode";
import { KNATIVE_RESERVED_PORTS } from "../core/knative";
import { InferenceServiceView, PredictorContainer, PROBES } from "./view";

function theOnePort(c: PredictorContainer): { containerPort: number; name?: string } | undefined {
  const ports = c.container.ports ?? [];
  return ports.length === 1 ? ports[0] : undefined;
}

export function checkOneContainerPort(isvc: InferenceServiceView): string[] {
  if (!isvc.serving) {
    return [];
  }
  const ports = isvc.serving.container.ports ?? [];
  if (ports.length === 1) {
    return [];
  }
  const where = `${isvc.serving.path}.ports`;
  return ports.length === 0
    ? [`${where} is missing: declare exactly one port, the one the server listens on (e.g. containerPort: 8000); without it Knative assumes 8080.`]
    : [`${where} has ${ports.length} entries: Knative allows exactly one; keep only the port the server listens on.`];
}

/** The port a probe uses, and where; exec probes have none. */
function probePort(probe: Record<string, any>): { field: string; port: unknown } | undefined {
  for (const handler of ["httpGet", "tcpSocket", "grpc"]) {
    if (probe[handler]) {
      return { field: `${handler}.port`, port: probe[handler].port };
    }
  }
  return undefined;
}

export function checkProbePorts(isvc: InferenceServiceView): string[] {
  const serving = isvc.serving;
  const port = serving && theOnePort(serving);
  if (!serving || !port) {
    return []; // checkOneContainerPort reports it
  }
  const problems: string[] = [];
  for (const name of PROBES) {
    const probe = serving.container[name];
    const used = probe && probePort(probe);
    if (!used) {
      continue;
    }
    const where = `${serving.path}.${name}.${used.field}`;
    // Knative fills an omitted probe port with the container port; a plain Deployment does not.
    if (used.port === undefined) {
      if (!isKnative(isvc)) {
        problems.push(`${where} is missing: set it to the container port, ${port.containerPort}.`);
      }
    } else if (used.port !== port.containerPort && !(port.name && used.port === port.name)) {
      problems.push(
        `${where} is ${JSON.stringify(used.port)} but the container port is ${port.containerPort}: ` +
          `probe the port the server listens on (${port.containerPort}${port.name ? ` or "${port.name}"` : ""}), or the pod never becomes Ready.`,
      );
    }
  }
  return problems;
}

export function checkNoReservedPort(isvc: InferenceServiceView): string[] {
  // Knative is KServe's default, so an unset mode is checked too; a reserved port is never needed.
  if (isStandard(isvc)) {
    return [];
  }
  const problems: string[] = [];
  for (const c of isvc.containers) {
    (c.container.ports ?? []).forEach((p: Record<string, any>, i: number) => {
      if (KNATIVE_RESERVED_PORTS.includes(p.containerPort)) {
        problems.push(
          `${c.path}.ports[${i}].containerPort is ${p.containerPort}, which Knative reserves (${KNATIVE_RESERVED_PORTS.join(", ")}): serve on another port, e.g. 8000.`,
        );
      }
    });
  }
  return problems;
}

export function checkPortEnv(isvc: InferenceServiceView): string[] {
  const serving = isvc.serving;
  if (!serving || !isvc.deploymentMode) {
    return []; // the mode decides; checkDeploymentModeSet advises setting it
  }
  const env: Record<string, any>[] = serving.container.env ?? [];
  const index = env.findIndex((e) => e.name === "PORT");
  const port = theOnePort(serving)?.containerPort;
  if (isKnative(isvc)) {
    return index < 0
      ? []
      : [`${serving.path}.env[${index}] sets PORT: remove it; Knative injects PORT (the container port) and rejects a user-set one.`];
  }
  if (index < 0) {
    return [`${serving.path}.env has no PORT: Standard mode does not inject it; add { name: PORT, value: "${port ?? "<container port>"}" } so the server listens on the container port.`];
  }
  const value = env[index].value;
  return port === undefined || value === String(port)
    ? []
    : [`${serving.path}.env[${index}].value is ${JSON.stringify(value)} but the container port is ${port}: set PORT to "${port}".`];
}
