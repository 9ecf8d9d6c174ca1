"""The bounded memo the interpreter's caches share."""

from mkc.interpreter.memo import Memo


def test_a_value_is_made_once_and_the_memo_stays_bounded():
    made = []
    memo = Memo(lambda k: made.append(k) or k * 2, limit=3)
    assert [memo[k] for k in (1, 2, 1, 3, 4, 5, 1)] == [2, 4, 2, 6, 8, 10, 2]
    assert made == [1, 2, 3, 4, 5, 1]  # 1 made again after the memo started afresh
    assert len(memo) <= 3
