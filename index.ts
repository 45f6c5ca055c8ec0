// `pulumi up -s <stack>`: one model server, from app/ to a Ready KServe InferenceService.
import { ModelServing, readSettings } from "./components";

const serving = new ModelServing("model-serving", readSettings());

export const imageRef = serving.imageRef;
export const repositoryUrl = serving.repositoryUrl;
export const namespace = serving.namespace;
export const inferenceServiceName = serving.inferenceServiceName;
export const url = serving.url;
export const clusterName = serving.clusterName;
