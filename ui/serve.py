"""`make chat`: start Streamlit on the address the sign-in settings allow.

No accounts configured: 127.0.0.1 only, and the one local user has every role (a laptop). Accounts or an
identity provider configured: every interface (or KH32_ADDRESS), with Streamlit's developer menu and
"Deploy" button hidden (client.toolbarMode=viewer), since most who sign in are not admins.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from assistant.access.signin import is_loopback, serve_address, sign_in_mode
from assistant.core.errors import AssistantError
from assistant.core.settings import get_settings


def streamlit_command(port: str) -> list[str]:
    settings = get_settings()
    address = serve_address(settings)
    shared = sign_in_mode(settings) != "none" or not is_loopback(address)
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(Path(__file__).resolve().parent / "app.py"),
        "--server.headless",
        "true",
        "--server.address",
        address,
        "--server.port",
        port,
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "viewer" if shared else "auto",
        # a served app never reloads its own source: Streamlit's watcher re-resolved every module's path
        # after every run of every session (about 40 % of the server's CPU with 10 sessions asking)
        "--server.fileWatcherType",
        "none",
        "--server.runOnSave",
        "false",
        # a full garbage collection after every run of every session cost a third of the server's time
        # per answer (the heap holds the model and the indexes); Python's own collector still runs
        "--runner.postScriptGC",
        "false",
    ]


def main() -> None:
    port = sys.argv[1] if len(sys.argv) > 1 else "8501"
    try:
        command = streamlit_command(port)
    except AssistantError as exc:
        print(f"Lỗi: {exc.message}", file=sys.stderr)
        sys.exit(exc.exit_code)
    print(
        f"Giao diện phục vụ tại http://{command[command.index('--server.address') + 1]}:{port}",
        file=sys.stderr,
    )
    os.execv(sys.executable, command)


if __name__ == "__main__":
    main()
