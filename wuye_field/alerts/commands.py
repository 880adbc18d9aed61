"""`flask wuye vapid-keys` and `flask wuye alerts-send` (added to the `wuye` group in wuye_field/cli.py)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("vapid-keys")
def vapid_keys() -> None:
    """Print a new VAPID key pair for Web Push; put the lines in the environment (.env) and restart."""
    from wuye_field.alerts.vapid import generate

    private, public = generate()
    click.echo(f"VAPID_PRIVATE_KEY={private}\nVAPID_PUBLIC_KEY={public}\nVAPID_SUBJECT=mailto:you@example.com")


@click.command("alerts-send")
@with_appcontext
def alerts_send() -> None:
    """Run the periodic alert checks and send due webhook / Web Push deliveries (cron, every minute,
    where ALERTS_SENDER_THREAD is off)."""
    from wuye_field.alerts.sender import run_checks, send_due

    raised = run_checks()
    counts = send_due()
    click.echo(f"alerts raised {raised}; sent {counts['sent']}, to retry {counts['retry']}, failed {counts['failed']}")
