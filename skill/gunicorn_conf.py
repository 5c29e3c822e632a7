"""gunicorn settings for the skill: `gunicorn --config skill/gunicorn_conf.py skill.wsgi:app`.

Threaded workers (gthread): a client that sends a body shorter than its Content-Length
holds one thread, not the whole worker, so the other threads keep answering Alexa. The
HTTPS proxy in front should also buffer whole request bodies before passing them on.
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("COUPLECARE_WORKERS", "2"))
threads = int(os.environ.get("COUPLECARE_THREADS", "8"))
timeout = 30
graceful_timeout = 20
keepalive = 5
limit_request_line = 4096
limit_request_fields = 50
