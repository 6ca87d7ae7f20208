"""gunicorn settings for one app server of the cluster (``deploy/cluster.py``).

The bind address comes from the command line and is always loopback (or a Unix socket):
only nginx may reach the app, or a client could forge X-Forwarded-For.
"""

import multiprocessing

# Sync workers with a few threads each: ocpo's requests are short and database-bound.
workers = max(2, multiprocessing.cpu_count())
threads = 2
worker_class = "gthread"
timeout = 60
graceful_timeout = 20
keepalive = 30
max_requests = 5000
max_requests_jitter = 500
accesslog = None
# A restarted server binds at once even while a crashed one's sockets linger.
reuse_port = True
