"""Programs with waits that the engine's tests on one process
(test_engine_waits.py) and spread (tests/scale) share."""

# Waits of every form: in the batch campaign's flow (in choices, after them) and in trigger campaigns'.
WAITS = """
program P <
  list "L"
  campaign Go <
    flow <
      change_score +5
      choice <
        when lead_score > 12 < wait 2 days >
        when tier = "b" < wait 3 hours weekdays=[sat, sun] >
        default < do_nothing >
      >
      add_to_list "L"
      change_data_value lead_status "Nurture"
      wait 1 day at=08:30
      change_score +1
      wait until=2026-06-01T12:00
      change_score +1
    >
    qualification every_time
  >
  campaign OnList <
    smart_list < trigger added_to_list "L" >
    flow < interesting_moment web "in"; wait 5 hours; change_score +2 >
    qualification every_time
  >
  campaign OnStatus <
    smart_list < trigger data_value_changes lead_status >
    flow < wait 4 days weekdays=[mon, tue] at=10:15; interesting_moment web "<<trigger.old_value>>" >
    qualification every_time
  >
  campaign OnScore <
    smart_list < trigger score_is_changed >
    flow < wait 1 hour >
    qualification every_time
  >
>
"""

# A stores waits; B (tier "a" only) and its list trigger campaign wait too.
STORED = """
list "L"
campaign A < flow < change_score +1; wait 2 days; change_score +10 >; qualification every_time >
campaign B <
  smart_list < filter tier = "a" >
  flow < add_to_list "L"; wait 47 hours; change_score +100 >
  qualification every_time
>
campaign OnList < smart_list < trigger added_to_list "L" >; flow < wait 1 week >; qualification every_time >
"""
# The same, without A: A's stored waits are of a campaign this model does not have (kept first, unchanged).
WITHOUT_A = "\n".join(line for line in STORED.splitlines() if not line.startswith("campaign A"))
