// The layering, checked by `npm test` (npm run layers). Arrows run one way:
//   core/        pure TypeScript: config, KServe and Knative knowledge, manifests as data
//   cluster/     reading the cluster (API client, rollout observation, diagnosis, verify): core only
//   components/  Pulumi component resources: core, and cluster only through rolloutWatch.ts and
//                namespaceCheck.ts
//   commands/    the command-line tools: any of the above
//   policy/      the policy pack: core only, and no package but @pulumi/policy, so it stands alone
// index.ts, e2e/ and test/ may import anything; nothing imports them.
const OUR_FOLDERS = "^(core|cluster|components|commands|policy|e2e|test|index\\.ts)";
const outside = (...allowed) => `^(?!(${allowed.join("|")})/)(core|cluster|components|commands|policy|e2e|test)/|^index\\.ts$`;

module.exports = {
  forbidden: [
    {
      name: "core-is-pure",
      comment: "core/ holds knowledge as plain TypeScript: it imports only core/ (and small pure packages), never Pulumi or a Kubernetes client.",
      severity: "error",
      from: { path: "^core/" },
      to: { path: [outside("core"), "node_modules/(@pulumi|@kubernetes|ws)/"] },
    },
    {
      name: "cluster-reads-through-core-only",
      comment: "cluster/ reads the cluster with what core/ knows; it never imports the Pulumi components, the commands or the policy pack, nor Pulumi itself.",
      severity: "error",
      from: { path: "^cluster/" },
      to: { path: [outside("core", "cluster"), "node_modules/@pulumi/"] },
    },
    {
      name: "components-reach-cluster-only-through-the-adapters",
      comment: "components/ are Pulumi resources; rolloutWatch.ts (the wait of `pulumi up`) and namespaceCheck.ts (its one pre-flight read) are the adapters into cluster/.",
      severity: "error",
      from: { path: "^components/", pathNot: "^components/(rolloutWatch|namespaceCheck)\\.ts$" },
      to: { path: "^cluster/" },
    },
    {
      name: "components-depend-on-core-and-cluster-only",
      comment: "components/ never import the commands, the policy pack, the e2e or the tests.",
      severity: "error",
      from: { path: "^components/" },
      to: { path: outside("core", "cluster", "components") },
    },
    {
      name: "commands-are-not-imported-by-lower-floors",
      comment: "commands/ may use every floor below; they import no policy, e2e or test code.",
      severity: "error",
      from: { path: "^commands/" },
      to: { path: outside("core", "cluster", "components", "commands") },
    },
    {
      name: "policy-depends-on-core-only",
      comment: "The policy pack reads only core/, so it runs from its own folder and can be published.",
      severity: "error",
      from: { path: "^policy/" },
      to: { path: outside("core", "policy") },
    },
    {
      name: "policy-pack-stands-alone",
      comment: "Everything the policy pack loads, through core/ too, needs no package but @pulumi/policy.",
      severity: "error",
      from: { path: "^policy/" },
      to: { path: "node_modules/", pathNot: "node_modules/@pulumi/policy/", reachable: true },
    },
    {
      name: "no-circular",
      comment: "Files that import each other cannot be read, tested or moved one at a time.",
      severity: "error",
      from: { path: OUR_FOLDERS },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(app|bin)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    combinedDependencies: false,
  },
};
