import pytest
from insight_helpers import EXAMPLES


@pytest.fixture(params=EXAMPLES, ids=lambda p: p.name)
def example(request):
    return request.param
