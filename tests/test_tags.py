"""TagPack loading: header defaults, currency filter, real GraphSense TagPacks from ../shared."""

import pytest

from btctrace.errors import TagFileError
from btctrace.tags import load_tagpacks
from tests.conftest import SHARED_DATA

PACK = """title: t
creator: c
category: exchange
source: https://example.org/proof
confidence: service_data
tags:
- address: bc1qm34lsc65zpw79lxes69zkqmk6ee3ewf0j77s3h
  label: Example Exchange
- address: 0xbe0eb53f46cd790cd13851d5eff43d12404d33e8
  currency: ETH
  label: eth wallet
- address: 3LYJfcfHPXYJreMsASk2jkn69LWEYKzexb
  label: Example OTC
  category: otc
"""


def test_header_defaults_are_inherited_and_other_currencies_skipped(tmp_path):
    (tmp_path / "p.yaml").write_text(PACK)
    index = load_tagpacks([tmp_path])
    assert len(index) == 2 and index.skipped_other_currency == 1
    tag = index.get("bc1qm34lsc65zpw79lxes69zkqmk6ee3ewf0j77s3h")
    assert (tag.label, tag.category, tag.source, tag.confidence) == (
        "Example Exchange", "exchange", "https://example.org/proof", "service_data")
    assert index.get("3LYJfcfHPXYJreMsASk2jkn69LWEYKzexb").category == "otc"


@pytest.mark.parametrize("content, reason", [("tags: 3\n", "no 'tags' list"), ("a: [\n", "cannot be read")])
def test_bad_tagpacks_are_refused(tmp_path, content, reason):
    (tmp_path / "bad.yaml").write_text(content)
    with pytest.raises(TagFileError, match=reason):
        load_tagpacks([tmp_path / "bad.yaml"])


def test_python_objects_in_yaml_are_refused(tmp_path):
    (tmp_path / "evil.yaml").write_text("tags: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(TagFileError):
        load_tagpacks([tmp_path / "evil.yaml"])


def test_missing_path(tmp_path):
    with pytest.raises(TagFileError, match="no such"):
        load_tagpacks([tmp_path / "none"])


def test_real_graphsense_tagpacks():
    folder = SHARED_DATA / "graphsense-tagpacks"
    if not folder.is_dir():
        pytest.skip("../shared/data/graphsense-tagpacks is not present")
    index = load_tagpacks([folder / "exchange-wallets-binance.yaml", folder / "ransomwhere.yaml"])
    binance = index.get("34xp4vRoCGJym3xR7yCVPFHoCNxv4Twseo")
    assert binance.category == "exchange" and binance.actor == "binance"
    assert index.skipped_other_currency > 0
    darkside = index.get("bc1q7eqww9dmm9p48hx5yz5gcvmncu65w43wfytpsf")
    assert darkside is not None and "darkside" in darkside.label.lower()


def test_a_yaml_alias_bomb_is_refused_at_once(tmp_path):
    import time

    lines = ["title: bomb", "creator: x", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    lines += ["tags:", "- address: bc1qm34lsc65zpw79lxes69zkqmk6ee3ewf0j77s3h", "  label: *a9"]
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n")
    started = time.monotonic()
    with pytest.raises(TagFileError, match="aliases"):
        load_tagpacks([tmp_path / "bomb.yaml"])
    assert time.monotonic() - started < 5


def test_a_scalar_alias_is_refused_too(tmp_path):
    """Issue 32: aliases of a scalar passed (a 107 KB TagPack of them filled a 200 MB store)."""
    lines = ["title: t", "creator: x", f"big: &big {'x' * 1000}", "tags:"]
    lines += ["- address: bc1qm34lsc65zpw79lxes69zkqmk6ee3ewf0j77s3h\n  label: *big" for _ in range(3)]
    (tmp_path / "scalar.yaml").write_text("\n".join(lines) + "\n")
    with pytest.raises(TagFileError, match="aliases"):
        load_tagpacks([tmp_path / "scalar.yaml"])


def test_a_tagpack_address_that_is_no_address_is_skipped_and_counted(tmp_path):
    (tmp_path / "p.yaml").write_text("title: t\ncreator: c\nlabel: x\ntags:\n- address: 'not an address <b>'\n"
                                     "- address: BC1QM34LSC65ZPW79LXES69ZKQMK6EE3EWF0J77S3H\n")
    index = load_tagpacks([tmp_path / "p.yaml"])
    assert list(index.by_address) == ["bc1qm34lsc65zpw79lxes69zkqmk6ee3ewf0j77s3h"]
    assert index.checks == {"skipped": 1, "cut_fields": 0}
    assert index.not_used() == {"not_a_mainnet_address": 1}  # said in trace.json and the report (tags loaded)
    from btctrace.exports.report.html import _tags_loaded

    assert _tags_loaded(index) == "1 (not used as written: 1 not a mainnet address)"


@pytest.mark.parametrize("value", ["[a, b]", "{x: 1}"])
def test_a_tag_field_that_is_not_plain_text_is_refused(tmp_path, value):
    (tmp_path / "p.yaml").write_text(PACK.replace("label: Example Exchange", f"label: {value}"))
    with pytest.raises(TagFileError, match="'label' is a"):
        load_tagpacks([tmp_path])


def test_a_tagpack_that_is_a_fifo_is_refused_without_hanging(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.yaml")
    with pytest.raises(TagFileError, match="not a regular file"):
        load_tagpacks([tmp_path / "pipe.yaml"])


def test_a_label_yaml_cannot_decode_is_one_line_naming_the_file(tmp_path):
    (tmp_path / "p.yaml").write_text(PACK.replace("label: Example Exchange", 'label: "bad \\ud800 label"'))
    with pytest.raises(TagFileError) as raised:
        load_tagpacks([tmp_path])
    assert "\n" not in raised.value.user_message and "p.yaml" in raised.value.user_message
