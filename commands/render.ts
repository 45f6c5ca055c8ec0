// npm run --silent render -- <stack>: the stack's Kubernetes objects as multi-document YAML.
import { parseArgs } from "util";
import { renderObjects, stackSettings, toYamlDocuments } from "../components";
import { errorText } from "./cli";

const USAGE = "usage: npm run --silent render -- <stack>   (reads Pulumi.<stack>.yaml; prints YAML on stdout)";

function main(argv: string[]): number {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: "boolean", short: "h" } } });
  if (values.help || positionals.length !== 1) {
    (values.help ? console.log : console.error)(USAGE);
    return values.help ? 0 : 2;
  }
  // Like the Pulumi CLI, work in the project folder (npm run starts there).
  process.stdout.write(toYamlDocuments(renderObjects(stackSettings(positionals[0]))));
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(errorText(error));
  process.exitCode = 1;
}
