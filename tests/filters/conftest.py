import pytest

from tests.filters.helpers import make_judge


@pytest.fixture
def judge():
    """judge(texts, lang, rule, overrides) -> (values, fails, thresholds) of one rule per text."""
    return make_judge()
