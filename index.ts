// `pulumi up -s <stack>`: one model server, from app/ to a KServe InferenceService that serves.
import { modelServingProgram } from "./components/program";

const outputs = modelServingProgram();

export const imageRef = outputs.imageRef;
export const repositoryUrl = outputs.repositoryUrl;
export const namespace = outputs.namespace;
export const inferenceServiceName = outputs.inferenceServiceName;
export const url = outputs.url;
export const canaryImageRef = outputs.canaryImageRef;
export const clusterName = outputs.clusterName;
