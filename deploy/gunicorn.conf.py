"""gunicorn settings for ocpo (``gunicorn ocpo.wsgi -c deploy/gunicorn.conf.py``).

The app server listens only where the proxy in front reaches it: a Unix socket, or
loopback. ocpo trusts the last ``OCPO_NUM_PROXIES`` addresses of X-Forwarded-For; a
client able to reach gunicorn directly could write that header itself and pass as any
address (rate limits and login lockouts would count nothing). ``OCPO_BIND`` chooses the
socket (``unix:/run/ocpo/gunicorn.sock`` or ``127.0.0.1:8000``); anything else refuses
to start.
"""

import ipaddress
import os

bind = [os.environ.get("OCPO_BIND", "127.0.0.1:8000")]
# 2 x cores - 1 on the 2-core machine the README measured; threads for slow clients.
workers = int(os.environ.get("OCPO_WORKERS", "3"))
threads = int(os.environ.get("OCPO_THREADS", "2"))
worker_class = "gthread"
# Only the local proxy may set X-Forwarded-* for gunicorn itself.
forwarded_allow_ips = "127.0.0.1,::1"


def _local(address):
    if address.startswith("unix:"):
        return True
    host = address.rsplit(":", 1)[0].strip("[]")
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


for _address in bind:
    if not _local(_address):
        raise SystemExit(f"gunicorn must listen on a Unix socket or loopback, not {_address}")
