// What Knative reserves for itself in a user's container, and refuses from the user.

/** Ports Knative's queue-proxy and activator use; a user container may not listen on them. */
export const KNATIVE_RESERVED_PORTS = [8008, 8012, 8013, 8022, 9090, 9091];

/** Environment variables Knative sets itself and refuses from the user. */
export const KNATIVE_RESERVED_ENV = ["K_SERVICE", "K_CONFIGURATION", "K_REVISION"];

