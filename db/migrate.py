"""Bring any database to the current schema at start-up, so an upgrade is just 'install, restart'."""
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / 'migrations'


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option('script_location', str(MIGRATIONS))
    config.attributes['engine'] = engine
    return config


def upgrade_to_latest(engine: Engine) -> None:
    command.upgrade(alembic_config(engine), 'head')
