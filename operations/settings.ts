// A stack's settings for the operating commands: the program's own reading of the stack file
// (never another reading of the config).
export { stackSettings } from "../components/stackFile";
