"""Entry point for `flask --app app …` and gunicorn (`gunicorn app:app`)."""
from wuye_field import create_app

app = create_app()
