// npm run --silent rollback -- <stack>: the canary is removed, the stable untouched.
import { rollback } from "./rolloutCommands";
import { exitCode, rolloutCommand } from "./rolloutCommand";

const USAGE = `usage: npm run --silent rollback -- <stack> [--kubeconfig FILE]
  sets model-serving:image to the stable image, which removes the running canary (refused when none runs);
  then runs the program (the same code as \`pulumi up\`) on the stack; exit 0 only if the update serves.`;

rolloutCommand("rollback", USAGE, {}, async ({ settings, canary, stack }) => exitCode(await rollback(await stack(), settings, canary, console.log)));
