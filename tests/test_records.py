"""A signed record carries its MinHash signature beside the record, never in it."""

from __future__ import annotations

import copy
import json
import pickle
from dataclasses import asdict

import numpy as np
from itemadapter import ItemAdapter

from core.minhash import MinHasher
from core.records import ArticleRecord, Link, Recommendation, Section, SignedRecord, body_text
from tests.conftest import FIXTURES
from tests.pipelines.conftest import build_record

RECORD = build_record()
SIGNATURE = MinHasher().signature(body_text(RECORD))


def test_a_signed_record_has_the_record_fields_and_the_signature() -> None:
    signed = SignedRecord.of(RECORD, SIGNATURE)
    assert asdict(signed) == asdict(RECORD)
    assert np.array_equal(signed.signature, SIGNATURE)


def test_feed_exports_see_only_the_record_fields() -> None:
    signed = SignedRecord.of(RECORD, SIGNATURE)
    assert dict(ItemAdapter(signed)) == dict(ItemAdapter(RECORD))
    json.dumps(ItemAdapter(signed).asdict())  # no numpy array to refuse


def test_a_pickled_or_copied_signed_record_is_the_plain_record() -> None:
    signed = SignedRecord.of(RECORD, SIGNATURE)
    for twin in (pickle.loads(pickle.dumps(signed)), copy.copy(signed), copy.deepcopy(signed)):
        assert type(twin) is ArticleRecord
        assert twin == RECORD


def test_a_signed_record_equals_the_record_it_was_made_from() -> None:
    signed = SignedRecord.of(RECORD, SIGNATURE)
    assert signed == RECORD and signed == RECORD
    assert signed != build_record(n=2)


def test_a_signed_record_hands_on_the_workers_pickle_while_no_field_was_set() -> None:
    record = build_record(n=1)
    pickled = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
    signed = SignedRecord.of(record, None, None, pickled)
    assert signed.pickled() is pickled
    signed.article_key += "~1f2e3d4c"  # what dedup does to a second article under one key
    assert signed.pickled() is None


def test_a_signed_record_made_without_a_pickle_has_none_to_hand_on() -> None:
    assert SignedRecord.of(build_record(n=1), None).pickled() is None


def test_a_signed_record_made_without_of_has_no_pickle_to_hand_on() -> None:
    record = build_record(n=1)
    made = SignedRecord(**{name: getattr(record, name) for name in asdict(record)})
    assert made.pickled() is None


def test_a_record_pickles_to_an_equal_record_with_its_parts_rebuilt() -> None:
    record = build_record(next_article=Link(title="Next", url="https://demo.test/p/2.html"))
    twin = pickle.loads(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
    assert twin == record and type(twin) is ArticleRecord
    parts = (*twin.sections, *twin.recommendations, twin.prev_article, twin.next_article)
    assert [type(part) for part in parts] == [Section, Section, Recommendation, Link, Link]


def test_a_record_pickled_in_the_default_form_of_earlier_versions_still_loads() -> None:
    """A run's state keeps pickled records between runs; these bytes were pickled before
    the record had its own ``__reduce__``."""
    pickled = (FIXTURES / "pickles" / "record-in-default-form.pickle").read_bytes()
    assert b"_plain_record" not in pickled and b"_section" not in pickled
    assert pickle.loads(pickled) == build_record(next_article=Link(title="Next", url="https://demo.test/p/2.html"))
