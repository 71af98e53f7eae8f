"""Fixtures shared by the training tests."""

import time

import pytest

from training.services import enrollment as service


@pytest.fixture
def slow_rules(monkeypatch):
    """Widen the window between the rule checks (seats, the person's courses) and the write, as a busy server would."""
    original = service.check_rules

    def slow(*args, **kwargs):
        time.sleep(0.05)
        return original(*args, **kwargs)

    monkeypatch.setattr(service, "check_rules", slow)
