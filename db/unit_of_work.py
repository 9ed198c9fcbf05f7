"""One transaction per use case: commit explicitly, roll back on anything else."""
from typing import Self

from sqlalchemy import Engine
from sqlmodel import Session

from .link_repository import SqlLinkRepository
from .repositories import (
    SqlChapterRepository,
    SqlCourseRepository,
    SqlInstructorRepository,
    SqlMediaRepository,
    SqlUploadOperationRepository,
)
from .token_repository import SqlTokenRepository


class SqlUnitOfWork:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._session: Session | None = None

    def __enter__(self) -> Self:
        self._session = Session(self._engine, expire_on_commit=False)
        self.instructors = SqlInstructorRepository(self._session)
        self.courses = SqlCourseRepository(self._session)
        self.chapters = SqlChapterRepository(self._session)
        self.media = SqlMediaRepository(self._session)
        self.links = SqlLinkRepository(self._session)
        self.uploads = SqlUploadOperationRepository(self._session)
        self.tokens = SqlTokenRepository(self._session)
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._session is not None
        self._session.rollback()
        self._session.close()
        self._session = None

    def commit(self) -> None:
        assert self._session is not None, 'commit() outside of "with uow:"'
        self._session.commit()

    def rollback(self) -> None:
        assert self._session is not None, 'rollback() outside of "with uow:"'
        self._session.rollback()
