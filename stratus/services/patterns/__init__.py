"""One pattern engine for the platform: EventBridge event patterns and SNS filter policies.

Both are Event Ruler's language (https://github.com/aws/event-ruler) in two dialects;
``dialect.py`` holds every difference, the rest is shared:

    source.py      pattern text -> JSON values
    compiler.py    JSON -> clauses (an OR of ANDs over dotted field paths), refusing what
                   AWS refuses in its words; numeric.py, cidr.py, wildcard.py parse operands
    conditions.py  FieldRule: what one field accepts, grouped for fast tests
    matcher.py     gathering an event's values by path; array consistency
    event_pattern.py, filter_policy.py   the two public faces

Users: Lambda event source mapping FilterCriteria and EventBridge rules
(``EventPattern``), SNS subscriptions (``FilterPolicy``).
"""

from stratus.services.patterns.errors import InvalidPattern, PatternError
from stratus.services.patterns.event_pattern import EventPattern
from stratus.services.patterns.filter_policy import FilterPolicy

__all__ = ["EventPattern", "FilterPolicy", "InvalidPattern", "PatternError"]
