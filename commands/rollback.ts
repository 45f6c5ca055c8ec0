// npm run --silent rollback -- <stack>: the canary is removed, the stable predictor untouched.
import { rollback } from "./rolloutCommands";
import { rolloutCommand } from "./rolloutCommand";

rolloutCommand("rollback", "sets model-serving:image to rollout.stableImage, which removes the running canary (refused when none runs)", rollback);
