"""covering library indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Each sort order ends in id and carries the filter columns, so a page is chosen from the index alone.

    ix_media_files_owner_search_name comes last on purpose: SQLite (which has no statistics here) ties between
    covering indexes of about the same width and takes the newest, and a search's count is cheapest on this one.
    """
    with op.batch_alter_table('media_files', schema=None) as batch_op:
        batch_op.drop_index('ix_media_files_owner_size')
        batch_op.drop_index('ix_media_files_owner_search_name')
        batch_op.drop_index('ix_media_files_owner_kind_created')
        batch_op.drop_index('ix_media_files_owner_created')
        batch_op.create_index('ix_media_files_owner_created', ['owner_id', 'created_at', 'id', 'search_name'],
                              unique=False)
        batch_op.create_index('ix_media_files_owner_kind_created',
                              ['owner_id', 'kind', 'created_at', 'id', 'search_name'], unique=False)
        batch_op.create_index('ix_media_files_owner_size', ['owner_id', 'size', 'id', 'search_name'], unique=False)
        batch_op.create_index('ix_media_files_owner_kind_size', ['owner_id', 'kind', 'size', 'id', 'search_name'],
                              unique=False)
        batch_op.create_index('ix_media_files_owner_search_name', ['owner_id', 'search_name', 'id', 'kind'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('media_files', schema=None) as batch_op:
        batch_op.drop_index('ix_media_files_owner_kind_size')
        batch_op.drop_index('ix_media_files_owner_size')
        batch_op.drop_index('ix_media_files_owner_search_name')
        batch_op.drop_index('ix_media_files_owner_kind_created')
        batch_op.drop_index('ix_media_files_owner_created')
        batch_op.create_index('ix_media_files_owner_created', ['owner_id', 'created_at'], unique=False)
        batch_op.create_index('ix_media_files_owner_kind_created', ['owner_id', 'kind', 'created_at'], unique=False)
        batch_op.create_index('ix_media_files_owner_search_name', ['owner_id', 'search_name'], unique=False)
        batch_op.create_index('ix_media_files_owner_size', ['owner_id', 'size'], unique=False)
