"""python -m model_server: serve the model on 0.0.0.0:$PORT (the image's CMD runs exactly this)."""
import gc
import logging
import os
import signal
import sys
import threading

import uvicorn

from . import metrics
from .app import create_app
from .config import Settings
from .model_state import ModelState

log = logging.getLogger("model_server")


class ModelServer(uvicorn.Server):
    """Loads the model only once the sockets are listening, so liveness answers during the
    load and readiness (/health, /v2/health/ready) says 503 until it is done."""

    def __init__(self, config, state, settings):
        super().__init__(config)
        self.state = state
        self.settings = settings
        self.load_failed = False

    async def startup(self, sockets=None):
        await super().startup(sockets)
        if self.started:
            threading.Thread(target=self._load, name="model-loader", daemon=True).start()

    def _load(self):
        if self.state.load(self.settings.model_load_delay_seconds):
            metrics.model_loaded(self.state.name, self.state.version)
            # Startup objects never die: move them out of the collector's view so its pauses
            # (which show up as tail latency) stay short.
            gc.collect()
            gc.freeze()
        else:
            # Exit instead of idling unready: the orchestrator then shows the reason in the log.
            self.load_failed = True
            self.should_exit = True


def main():
    try:
        settings = Settings.from_env(os.environ)
    except ValueError as exc:
        sys.exit(f"model_server: {exc}")
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s:     %(name)s %(message)s")
    state = ModelState(settings.model_dir, settings.model_name)
    config = uvicorn.Config(
        create_app(settings, state),
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        lifespan="off",
        access_log=False,  # per-request logging costs more than the prediction; see /metrics
        log_level=settings.log_level,
        server_header=False,
        timeout_graceful_shutdown=settings.graceful_timeout_seconds,
    )
    server = ModelServer(config, state, settings)
    # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal under the handler it
    # found, which with the default handler makes the exit status 143. SIGTERM is the normal
    # way Kubernetes stops a pod, so a clean shutdown should exit 0: leave a no-op handler.
    signal.signal(signal.SIGTERM, lambda *_: None)
    server.run()
    if server.load_failed or not server.started:
        sys.exit(1)


if __name__ == "__main__":
    main()
