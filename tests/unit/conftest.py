"""Fixtures for domain tests: in-memory ports and a clock the test moves by hand."""
import pytest

from tests.unit.fakes import FakeUnitOfWork, ManualClock


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()
