// The kserve-guardrails policy pack. `new PolicyPack` starts the analyzer server the Pulumi engine
// talks to, so the policies live in policies.ts, where the tests call them directly.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("kserve-guardrails", { policies });
