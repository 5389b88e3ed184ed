"""gunicorn's fixed configuration for the benchmark (the bind address and worker count come from the
command line). Given explicitly with ``--config`` so a project-level gunicorn.conf.py never applies."""

worker_class = "sync"
accesslog = None
errorlog = "-"
loglevel = "warning"
timeout = 30
graceful_timeout = 5
