"""WSGI entry for a production server: `gunicorn skill.wsgi:app`."""

from skill.app import configure_logging, create_app

configure_logging()
app = create_app()
