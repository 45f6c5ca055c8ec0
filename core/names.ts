// The names KServe and Knative derive from a model's name, and the limits they put on it.

/** The longest model name whose Knative children fit a 63-character name: `<name>-predictor-00001-private`. */
export const MAX_KNATIVE_MODEL_NAME = 63 - "-predictor-00001-private".length;

/** KServe's host label is `<name>-predictor-<namespace>`, at most 63 characters. */
export const MAX_NAME_PLUS_NAMESPACE = 63 - "-predictor-".length;

/** The Knative Service KServe's Knative mode makes for the predictor (KServe v0.20.0: `<name>-predictor`). */
export function predictorKnativeServiceName(name: string): string {
  return `${name}-predictor`;
}

/** The predictor Deployment (and Service) KServe's Standard mode makes for an unnamed predictor (KServe v0.20.0). */
export function predictorDeploymentName(name: string): string {
  return `${name}-predictor`;
}
