"""How people sign in: the sign-in mode, the address the chat binds to, the anonymous user, and the user of
an OpenID Connect identity."""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Mapping
from typing import Any, Literal

from assistant.access.accounts import Accounts
from assistant.access.roles import LOCAL_NAME, PermissionDenied, Role, User, highest
from assistant.core.settings import Settings
from assistant.language.text import nfc

SignIn = Literal["oidc", "accounts", "none"]


def sign_in_mode(settings: Settings) -> SignIn:
    """How people sign in: an identity provider (OIDC), the local accounts file, or nobody (no accounts)."""
    if settings.auth == "oidc":
        return "oidc"
    return "accounts" if Accounts.of(settings).names() else "none"


def is_loopback(address: str | None) -> bool:
    """Whether a server bound to `address` is reachable from this machine only (None/'' = every interface)."""
    if not address:
        return False
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def serve_address(settings: Settings) -> str:
    """Where `make chat` binds: KH32_ADDRESS when set; 127.0.0.1 with no accounts; else every interface."""
    if settings.address:
        return settings.address
    return "127.0.0.1" if sign_in_mode(settings) == "none" else "0.0.0.0"


def anonymous_user(bound_address: str | None) -> User:
    """The user when no accounts are configured: on 127.0.0.1 the one local user has every role; served
    on any other address, everyone is a read-only reader with a session of their own."""
    if is_loopback(bound_address):
        return User(LOCAL_NAME, Role.ADMIN, display="Người dùng máy này")
    return User(f"khach-{uuid.uuid4().hex[:12]}", Role.READER, display="Khách", read_only=True)


def oidc_role(claims: Mapping[str, Any], settings: Settings) -> Role:
    """The role of a user signed in through OpenID Connect, from their ID-token claims.

    The highest role wins among: the e-mail address listed in KH32_OIDC_ADMINS / _TRAINERS / _EVALUATORS,
    and each value of the claim KH32_OIDC_ROLE_CLAIM (a string or a list) mapped by KH32_OIDC_ROLE_VALUES
    (or naming a role itself). Anyone else signed in is a reader.
    """
    roles: list[Role] = []
    email = str(claims.get("email") or "").strip().casefold()
    if email:
        for role, listed in (
            (Role.ADMIN, settings.oidc_admins),
            (Role.TRAINER, settings.oidc_trainers),
            (Role.EVALUATOR, settings.oidc_evaluators),
        ):
            if email in {e.strip().casefold() for e in listed}:
                roles.append(role)
    values = claims.get(settings.oidc_role_claim)
    if isinstance(values, str):
        values = values.replace(",", " ").split()
    mapping = {k.casefold(): v for k, v in settings.oidc_role_values.items()}
    for value in values if isinstance(values, list | tuple) else []:
        key = str(value).strip().casefold()
        if key in mapping:
            roles.append(Role(mapping[key]))
        elif key in {r.value for r in Role}:
            roles.append(Role(key))
    return highest(roles) or Role.READER


def oidc_user(claims: Mapping[str, Any], settings: Settings) -> User:
    """The User of a signed-in OIDC identity: named by e-mail (else the subject), role from the claims."""
    name = nfc(str(claims.get("email") or claims.get("sub") or "")).strip()
    if not name:
        raise PermissionDenied(
            "Nhà cung cấp định danh không trả về e-mail hay mã người dùng; không đăng nhập được."
        )
    display = nfc(str(claims.get("name") or name))
    return User(f"oidc:{name.casefold()}", oidc_role(claims, settings), display=display)
