"""WSGI entry for a production server: `gunicorn skill.wsgi:app`."""

from skill.app import create_app

app = create_app()
