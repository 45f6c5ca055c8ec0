// npm run --silent promote -- <stack>: the canary becomes the stable predictor.
import { promote } from "./rolloutCommands";
import { rolloutCommand } from "./rolloutCommand";

rolloutCommand("promote", "sets model-serving:rollout.stableImage to the running canary's digest (refused when no canary runs)", promote);
