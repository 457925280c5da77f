from __future__ import annotations

import pytest

from careline.connectors.bluesky.richtext import (
    link_facets,
    mention_facets,
    mentioned_handles,
    text_facets,
)
from careline.lib.text import grapheme_count

JANE = "did:plc:jane0000000000000000000000"
ZOE = "did:plc:zoe00000000000000000000000"


def covered(text: str, facet: dict) -> str:
    """The text a facet covers, cut from the UTF-8 bytes as Bluesky's clients do."""
    index = facet["index"]
    return text.encode("utf-8")[index["byteStart"] : index["byteEnd"]].decode("utf-8")


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("", 0),
        ("abc", 3),
        ("café", 4),
        ("cafe\u0301", 4),  # e + combining acute accent
        ("🇫🇷🇩🇪", 2),  # two flags, four regional indicators
        ("🇫🇷🇩", 2),  # a lone regional indicator counts on its own
        ("👩‍👩‍👧‍👦", 1),  # family: four people joined by ZWJ
        ("👍🏽", 1),  # skin-tone modifier
        ("❤️", 1),  # heart + emoji variation selector
        ("1️⃣", 1),  # keycap sequence
        ("🏴󠁧󠁢󠁳󠁣󠁴󠁿", 1),  # Scotland: black flag + tag characters
        ("\r\n", 1),
        ("a\u200db", 2),  # ZWJ joins only pictographs
        ("한국어", 3),
        ("\u1112\u1161\u11ab", 1),  # the same syllable 한 spelled with jamo
        ("\u0301x", 2),  # a leading combining mark stands alone
    ],
)
def test_grapheme_count_counts_what_a_reader_sees(text: str, count: int) -> None:
    assert grapheme_count(text) == count


def test_an_indic_conjunct_counts_one_too_many_the_safe_side_for_a_limit() -> None:
    # नमस्ते is three clusters; the approximation does not join across the virama.
    assert grapheme_count("नमस्ते") == 4


def test_a_mention_after_accents_and_a_flag_gets_utf8_byte_offsets() -> None:
    text = "Café crème 🇫🇷 @jane.example.com merci"

    facets = mention_facets(text, {"jane.example.com": JANE})

    assert facets == [
        {
            "index": {"byteStart": 22, "byteEnd": 39},
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": JANE}],
        }
    ]
    assert covered(text, facets[0]) == "@jane.example.com"
    # The Python string index is different: a facet built from it would be off by eight bytes.
    assert text.index("@") == 14


def test_every_known_handle_is_faceted_and_unknown_ones_stay_text() -> None:
    text = "😀 @Zoe.bsky.social and @nobody.example.com, cc (@jane.example.com)."

    facets = mention_facets(text, {"@zoe.bsky.social": ZOE, "jane.example.com": JANE})

    assert [(covered(text, f), f["features"][0]["did"]) for f in facets] == [
        ("@Zoe.bsky.social", ZOE),
        ("@jane.example.com", JANE),
    ]
    assert [f["index"] for f in facets] == [
        {"byteStart": 5, "byteEnd": 21},
        {"byteStart": 51, "byteEnd": 68},
    ]


@pytest.mark.parametrize(
    "text",
    [
        "mail me at support@jane.example.com",  # part of an e-mail address
        "@jane.example.com_x is not a handle",  # runs on with a character handles lack
        "@jane",  # one label is no domain
        "@-jane.example.com",
    ],
)
def test_things_that_only_look_like_mentions_get_no_facet(text: str) -> None:
    assert mention_facets(text, {"jane.example.com": JANE, "jane": JANE}) == []


def test_mentioned_handles_are_lower_cased_in_order_without_repeats() -> None:
    text = "@Jane.Example.com @zoe.bsky.social @jane.example.com."

    assert mentioned_handles(text) == ["jane.example.com", "zoe.bsky.social"]


def test_a_link_facet_leaves_out_the_full_stop_and_counts_bytes() -> None:
    text = "Suivi 📦 : https://track.example/colis/AB123?lang=fr."

    facets = link_facets(text)

    assert facets == [
        {
            "index": {"byteStart": 13, "byteEnd": 54},
            "features": [
                {
                    "$type": "app.bsky.richtext.facet#link",
                    "uri": "https://track.example/colis/AB123?lang=fr",
                }
            ],
        }
    ]
    assert covered(text, facets[0]) == "https://track.example/colis/AB123?lang=fr"


def test_text_facets_are_ordered_by_position() -> None:
    text = "https://acme.example/help @jane.example.com"

    facets = text_facets(text, {"jane.example.com": JANE})

    assert [covered(text, f) for f in facets] == [
        "https://acme.example/help",
        "@jane.example.com",
    ]
