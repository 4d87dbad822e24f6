"""`make chat`: start Streamlit on the address the sign-in settings allow.

No accounts configured: 127.0.0.1 only, and the one local user has every role (a laptop). Accounts or an
identity provider configured: every interface (or KH32_ADDRESS). Either way Streamlit's toolbar shows no
"Deploy" button, developer options or English ⋮ menu (client.toolbarMode=minimal, as .streamlit/config.toml
also says for a `streamlit run` from the project folder): the users read Vietnamese and few are developers.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from assistant.access.accounts import Accounts
from assistant.access.signin import serve_address
from assistant.core.errors import AssistantError
from assistant.core.settings import get_settings


def streamlit_command(port: str) -> list[str]:
    settings = get_settings()
    address = serve_address(settings)
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
        "minimal",
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
        notice = Accounts.of(get_settings()).notice  # an accounts file of an earlier version taken over
        command = streamlit_command(port)
    except AssistantError as exc:
        print(f"Lỗi: {exc.message}", file=sys.stderr)
        sys.exit(exc.exit_code)
    if notice:
        print(f"Lưu ý: {notice}", file=sys.stderr)
    print(
        f"Giao diện phục vụ tại http://{command[command.index('--server.address') + 1]}:{port}",
        file=sys.stderr,
    )
    os.execv(sys.executable, command)


if __name__ == "__main__":
    main()
