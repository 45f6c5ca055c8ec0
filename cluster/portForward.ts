// A port-forward to one pod port, like `kubectl port-forward <pod> :<port>`: a local TCP server on
// 127.0.0.1 (an ephemeral port), and for each connection to it one websocket to the API server
// (GET /api/v1/namespaces/{ns}/pods/{pod}/portforward?ports={port}, subprotocol
// v4.channel.k8s.io) through client-node's PortForward. Channel 0 carries the data, channel 1 the
// kubelet's errors ("error forwarding port 8080 to pod …: connection refused"), which are kept so
// a failed request can say why.
import * as https from "https";
import * as net from "net";
import { Writable } from "stream";
import type WebSocket from "ws";
import { KubeConfig, PortForward } from "@kubernetes/client-node";

export interface PortForwardSession {
  /** The local port that reaches the pod's port. */
  readonly localPort: number;
  /**
   * What the API server or kubelet reported for the local connection from `clientPort` (a failed
   * upgrade, the error channel); they reset that connection, so the HTTP client alone cannot say why.
   */
  errorsFor(clientPort: number): string[];
  /** Stops listening and ends every forwarded connection. */
  close(): Promise<void>;
}

/**
 * client-node's websocket handler reads its connection options from the KubeConfig; this one
 * adds a handshake timeout, so an API server that never answers the upgrade cannot hold the process.
 */
class HandshakeTimeoutConfig extends KubeConfig {
  constructor(private readonly base: KubeConfig, private readonly handshakeTimeoutMs: number) {
    super();
  }

  getCurrentCluster() {
    return this.base.getCurrentCluster();
  }

  async applyToHTTPSOptions(opts: https.RequestOptions | WebSocket.ClientOptions): Promise<void> {
    await this.base.applyToHTTPSOptions(opts);
    (opts as WebSocket.ClientOptions).handshakeTimeout = this.handshakeTimeoutMs;
  }
}

function message(error: unknown): string {
  if (error instanceof Error) return error.message;
  // The websocket's onerror hands over an ErrorEvent ({ message, error }), not an Error.
  const event = error as { message?: unknown; error?: unknown } | undefined;
  if (typeof event?.message === "string" && event.message) return event.message;
  if (event?.error instanceof Error) return event.error.message;
  return String(error);
}

export async function openPortForward(
  kc: KubeConfig,
  namespace: string,
  pod: string,
  port: number,
  options: { handshakeTimeoutMs: number },
): Promise<PortForwardSession> {
  const forwarder = new PortForward(new HandshakeTimeoutConfig(kc, options.handshakeTimeoutMs));
  const errors = new Map<number, string[]>();
  const sockets = new Set<net.Socket>();
  const websockets = new Set<WebSocket>();
  let closed = false;

  const server = net.createServer((socket) => {
    sockets.add(socket);
    const clientPort = socket.remotePort ?? 0;
    const report = (text: string) => errors.set(clientPort, [...(errors.get(clientPort) ?? []), text]);
    let ws: WebSocket | undefined;
    // The HTTP client on the other end sees the reset; the reason is in `errors`.
    socket.on("error", () => undefined);
    socket.on("close", () => {
      sockets.delete(socket);
      ws?.close();
    });
    const errorStream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        const text = chunk.toString("utf8").trim();
        if (text) report(text);
        callback();
      },
    });
    forwarder.portForward(namespace, pod, [port], socket, errorStream, socket).then(
      (opened) => {
        ws = opened as WebSocket;
        if (closed || socket.destroyed) {
          ws.terminate();
          return;
        }
        websockets.add(ws);
        // PortForward does not end the local connection when the stream closes; do it here.
        const finish = () => {
          websockets.delete(ws!);
          socket.end();
        };
        ws.on("close", finish);
        if (ws.readyState === ws.CLOSING || ws.readyState === ws.CLOSED) finish();
      },
      (error: unknown) => {
        const text = message(error);
        report(/Unexpected server response: 403/.test(text) ? `${text} (the identity needs get and create on pods/portforward)` : text);
        socket.destroy();
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });

  return {
    localPort: (server.address() as net.AddressInfo).port,
    errorsFor: (clientPort) => errors.get(clientPort) ?? [],
    close: async () => {
      closed = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const ws of websockets) ws.terminate();
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
  };
}
