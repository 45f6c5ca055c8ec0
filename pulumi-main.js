// The program's entry for `pulumi preview` and `pulumi up` (Pulumi.yaml: main). esbuild compiles
// the TypeScript as it loads, in milliseconds a file and without a type-check: type-checking is
// `npm run build`'s, `npm test`'s and CI's. (The Pulumi runtime's own ts-node path costs ~0.3 s
// more a run, paid twice by each `pulumi up`.) Dynamic `import()`s become `require`s, as tsc's
// CommonJS output makes them, so the program's lazy loads find its TypeScript files.
require("esbuild-register/dist/node").register({ target: "node20", supported: { "dynamic-import": false } });
module.exports = require("./index.ts");
