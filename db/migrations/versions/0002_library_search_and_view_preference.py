"""library search and view preference

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from domain.media import search_key

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('media_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False,
                                      server_default=''))
        batch_op.create_index('ix_media_files_owner_search_name', ['owner_id', 'search_name'], unique=False)
        batch_op.create_index('ix_media_files_owner_size', ['owner_id', 'size'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('library_view', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False,
                                      server_default='grid'))
    _fill_search_names()


def _fill_search_names() -> None:
    """Existing items get the same search key new ones are stored with."""
    connection = op.get_bind()
    media = sa.table('media_files', sa.column('id', sa.Uuid()), sa.column('display_name', sa.String()),
                     sa.column('search_name', sa.String()))
    for media_id, name in connection.execute(sa.select(media.c.id, media.c.display_name)).all():
        connection.execute(media.update().where(media.c.id == media_id).values(search_name=search_key(name)))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('library_view')

    with op.batch_alter_table('media_files', schema=None) as batch_op:
        batch_op.drop_index('ix_media_files_owner_size')
        batch_op.drop_index('ix_media_files_owner_search_name')
        batch_op.drop_column('search_name')

