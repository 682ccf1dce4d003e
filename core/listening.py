"""Where a server listens, said out loud: loopback unless the operator chose otherwise.

Every chatlake server defaults to 127.0.0.1. Opening one to the network is allowed (a real
deployment behind a proxy needs it) but never silent: it is logged as a warning.
"""

import ipaddress
import logging

log = logging.getLogger("chatlake.listening")


def is_loopback(host: str) -> bool:
    """True for names and addresses only this machine can reach (0.0.0.0 and :: are not)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def announce(service: str, host: str, port: int) -> None:
    """Log where `service` listens: info on loopback, a warning anywhere else."""
    if is_loopback(host):
        log.info("%s listening on %s:%d (this machine only)", service, host, port)
    else:
        log.warning("%s listening on %s:%d: reachable from other machines", service, host, port)
