"""API tokens as stored: names and hashes, never the secrets."""
from uuid import UUID

from sqlmodel import Session, col, select

from domain.tokens import ApiToken

from .repositories import fields_of, to_domain
from .tables import ApiTokenRow


class SqlTokenRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, token: ApiToken) -> None:
        self._session.add(ApiTokenRow(**fields_of(token)))

    def get(self, token_id: UUID) -> ApiToken | None:
        row = self._session.get(ApiTokenRow, token_id)
        return to_domain(ApiToken, row) if row else None

    def find_by_hash(self, token_hash: str) -> ApiToken | None:
        row = self._session.exec(select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash)).first()
        return to_domain(ApiToken, row) if row else None

    def list_for_owner(self, owner_id: UUID) -> list[ApiToken]:
        query = select(ApiTokenRow).where(ApiTokenRow.owner_id == owner_id).order_by(col(ApiTokenRow.created_at))
        return [to_domain(ApiToken, row) for row in self._session.exec(query)]

    def update(self, token: ApiToken) -> None:
        row = self._session.get_one(ApiTokenRow, token.id)
        row.sqlmodel_update(fields_of(token))
        self._session.add(row)

    def delete(self, token_id: UUID) -> None:
        self._session.delete(self._session.get_one(ApiTokenRow, token_id))
        self._session.flush()
