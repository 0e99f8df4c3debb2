"""gunicorn for dae (``dae serve --production``): threaded workers, recycled after a bounded number of requests,
JSON access logs on stdout. Every number can be set from the environment."""

import multiprocessing
import os

bind = os.environ.get("DAE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("DAE_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
worker_class = "gthread"
threads = int(os.environ.get("DAE_THREADS", "4"))
max_requests = int(os.environ.get("DAE_MAX_REQUESTS", "2000"))  # worker recycling: a leak cannot grow for ever
max_requests_jitter = int(os.environ.get("DAE_MAX_REQUESTS_JITTER", "200"))
timeout = int(os.environ.get("DAE_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
preload_app = True
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
limit_request_line = 8190
limit_request_fields = 100
forwarded_allow_ips = os.environ.get("DAE_FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips
accesslog = "-" if os.environ.get("DAE_ACCESS_LOG", "1") == "1" else None
access_log_format = ('{"time":"%(t)s","remote":"%(h)s","method":"%(m)s","path":"%(U)s","status":%(s)s,'
                     '"bytes":"%(B)s","ms":%(M)s,"request_id":"%({x-request-id}o)s"}')
errorlog = "-"
loglevel = os.environ.get("DAE_LOG_LEVEL", "info").lower()
