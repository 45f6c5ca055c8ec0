// Objects recorded on a real cluster by `npm run e2e` (E2E_RECORD_DIR): a snapshot plus the
// predictor's Deployment and ReplicaSets, served by the loopback API as the cluster served them.
import * as fs from "fs";
import * as path from "path";
import { Snapshot } from "../../cluster/snapshot";
import { KubeApi } from "../../cluster/kubeApi";
import { FakeKubeApi, FakeState, KubeObject, stateFrom } from "./fakeKubeApi";

const ROLLOUTS = path.resolve(__dirname, "../fixtures/rollouts");

export type Recording = Snapshot & { deployments: KubeObject[]; replicaSets: KubeObject[]; knativeRevisions?: KubeObject[]; knativeServices?: KubeObject[] };

export function loadRecording(name: string): Recording {
  return JSON.parse(fs.readFileSync(path.join(ROLLOUTS, `${name}.json`), "utf8"));
}

export function recordingState(recording: Recording, overrides: Partial<FakeState> = {}): FakeState {
  return stateFrom(recording, { deployments: recording.deployments, replicaSets: recording.replicaSets, knativeRevisions: recording.knativeRevisions ?? [], knativeServices: recording.knativeServices ?? [], ...overrides });
}

/**
 * For a describe block: a loopback API per test, stopped after it. `serve` starts one on a state
 * (stopping the one before), `start` on a recording by name; `fake` is the one running.
 */
export function loopbackApis() {
  let current: FakeKubeApi | undefined;
  afterEach(async () => {
    await current?.stop();
    current = undefined;
  });
  const serve = async (state: FakeState): Promise<KubeApi> => {
    await current?.stop();
    current = await new FakeKubeApi(state).start();
    return current.client();
  };
  return {
    serve,
    start: async (name: string): Promise<{ api: KubeApi; r: Recording }> => {
      const r = loadRecording(name);
      return { api: await serve(recordingState(r)), r };
    },
    get fake(): FakeKubeApi {
      return current!;
    },
  };
}
