// `pulumi up -s <stack>`: one model server, from app/ to a KServe InferenceService that serves.
// The engine calls the exported function and takes the stack outputs from what it returns:
// imageRef, repositoryUrl, namespace, inferenceServiceName, url, canaryImageRef, stableImageRef,
// clusterName.
import { modelServingProgram } from "./components/program";

export = () => modelServingProgram();
