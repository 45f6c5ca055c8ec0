// Settings: the only place stack config is read. The schema (schema.ts) checks each value, the
// defaults (defaults.ts) fill in the rest, the rules (rules.ts, labRules.ts) relate keys to each
// other and to the platform, and problems.ts words one error listing every bad key.
export * from "./types";
export { SettingsError } from "./problems";
export { applyDefaults } from "./defaults";
export { decodeConfigValue, parseSettings, ParseOptions } from "./parse";
export { KNATIVE_RESERVED_PORTS } from "../knative";
export { MAX_KNATIVE_MODEL_NAME, MAX_NAME_PLUS_NAMESPACE } from "../names";
export { MIN_MEMORY_LIMIT } from "../serverNeeds";
export { ecrRegistryOf } from "../imageReference";
