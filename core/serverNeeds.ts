// What the model server in app/ needs from its pod, measured (app/README.md), in a module of
// its own so that light tools (the offline diagnosis) can use it without loading Pulumi.

/**
 * The smallest memory limit the model server runs in: its measured peak RSS is 77 MB under
 * load and 104 MB with a 10,000-row batch; 256Mi leaves room for both.
 */
export const MIN_MEMORY_LIMIT = "256Mi";
