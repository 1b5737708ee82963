"""Request ids are well-formed version 4 UUIDs and do not repeat."""

from __future__ import annotations

import uuid

from stratus.runtime.ids import new_request_id


def test_request_ids_are_unique_uuid4() -> None:
    ids = [new_request_id() for _ in range(20000)]
    assert len(set(ids)) == len(ids)
    for text in ids[:100]:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
