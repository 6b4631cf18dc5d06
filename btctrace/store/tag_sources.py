"""Readers for the attribution files ``btctrace tags import`` takes, each yielding
:class:`~btctrace.tags.Tag` rows:

- GraphSense TagPacks (:func:`btctrace.tags.iter_tagpack`);
- OFAC's ``sdn_advanced.xml`` (the ADVANCED_XML schema: a ``FeatureType`` "Digital Currency
  Address - XBT" names the feature id; each ``DistinctParty`` profile's feature of that type holds
  the address in ``VersionDetail``; the party's primary name is its ``DocumentedName``; the
  ``SanctionsEntry`` for the profile gives the listing date). After 0xB10C's
  ``generate-address-list.py``, which extracts the same addresses without the names;
- a plain address list (one per line, or a JSON array, such as 0xB10C's
  ``sanctioned_addresses_XBT.txt``) with a label, category and source given by the user;
- Ransomwhere's ``/export`` JSON (``{"result": [{"address", "family", "blockchain", ...}]}``,
  cablej/ransomwhere ``backend/model/Address.js``).

Every file is untrusted: regular files only; XML read by ``defusedxml``, a parser made for
hostile input, with DTDs, entities and external references refused wherever they stand in the
file and in any encoding (issue 32: a check of the first bytes let a comment or UTF-16 through);
text fields plain scalars. Each tag is then checked where every import passes
(:func:`btctrace.tags.checked_tag`: mainnet addresses only, dates, length).
"""

from __future__ import annotations

from btctrace import safejson
import xml.etree.ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from btctrace.errors import TagSourceError
from btctrace.files import clean_text, open_regular, read_regular_text
from btctrace.tags import Tag

__all__ = ["SOURCE_KINDS", "ListDefaults", "read_address_list", "read_ofac_xml", "read_ransomwhere"]

SOURCE_KINDS = ("tagpack", "ofac", "list", "ransomwhere")
OFAC_SOURCE = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN_ADVANCED.XML"
RANSOMWHERE_SOURCE = "https://api.ransomwhe.re/export"
_XBT_FEATURE = "Digital Currency Address - XBT"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _date_of(element: ET.Element | None) -> str:
    if element is None:
        return ""
    parts = {_local(child.tag): (child.text or "").strip() for child in element}
    try:
        return f"{int(parts['Year']):04d}-{int(parts['Month']):02d}-{int(parts['Day']):02d}"
    except (KeyError, ValueError):
        return ""


def _party_name(profile: ET.Element) -> str:
    """The primary alias's name parts, in document order."""
    aliases = [e for e in profile.iter() if _local(e.tag) == "Alias"]
    primary = next((a for a in aliases if a.get("Primary") == "true"), aliases[0] if aliases else None)
    if primary is None:
        return ""
    parts = [(e.text or "").strip() for e in primary.iter() if _local(e.tag) == "NamePartValue"]
    return clean_text(" ".join(p for p in parts if p))


@dataclass
class _OfacParse:
    feature_ids: set[str]
    issued: str
    entry_dates: dict[str, str]  # profile id -> first listing date
    parties: list[tuple[str, str, list[str]]]  # profile id, name, addresses (raw)


def _parse_ofac(path: Path) -> _OfacParse:
    parsed = _OfacParse(set(), "", {}, [])
    pending: list[ET.Element] = []
    with open_regular(path, "rb") as stream:
        for _event, element in iterparse(stream, events=("end",), forbid_dtd=True):
            name = _local(element.tag)
            if name == "FeatureType" and (element.text or "").strip() == _XBT_FEATURE:
                parsed.feature_ids.add(element.get("ID", ""))
            elif name == "DateOfIssue":
                parsed.issued = _date_of(element)
            elif name == "DistinctParty":
                pending.append(element)  # features are matched once every FeatureType is known
            elif name == "SanctionsEntry":
                event = next((e for e in element if _local(e.tag) == "EntryEvent"), None)
                date = _date_of(next((e for e in event if _local(e.tag) == "Date"), None)) if event is not None else ""
                parsed.entry_dates.setdefault(element.get("ProfileID", ""), date)
                element.clear()
    for party in pending:
        for profile in (e for e in party if _local(e.tag) == "Profile"):
            addresses = [(detail.text or "").strip()
                         for feature in profile.iter() if _local(feature.tag) == "Feature"
                         and feature.get("FeatureTypeID") in parsed.feature_ids
                         for detail in feature.iter() if _local(detail.tag) == "VersionDetail"]
            if addresses:
                parsed.parties.append((profile.get("ID", ""), _party_name(profile), addresses))
    return parsed


def read_ofac_xml(path: Path, counts: dict[str, int]) -> Iterator[Tag]:
    """The XBT addresses of OFAC's SDN list with the sanctioned party, entry and listing date."""
    try:
        parsed = _parse_ofac(path)
    except DefusedXmlException as exc:
        raise TagSourceError(str(path), "OFAC sdn_advanced.xml",
                             f"declares a DTD, entities or external references ({type(exc).__name__}): refused") from None
    except (ET.ParseError, OSError, ValueError) as exc:
        raise TagSourceError(str(path), "OFAC sdn_advanced.xml", f"cannot be read ({exc})") from None
    if not parsed.feature_ids:
        raise TagSourceError(str(path), "OFAC sdn_advanced.xml",
                             f"has no FeatureType {_XBT_FEATURE!r}: not the ADVANCED_XML export")
    for profile_id, name, addresses in parsed.parties:
        for address in addresses:
            yield Tag(address=address, label=f"OFAC SDN: {name}" if name else "OFAC SDN", category="sanction",
                      source=OFAC_SOURCE, confidence="authority_data", actor="", abuse="sanction",
                      tagpack=path.name, kind="ofac", entry=f"OFAC SDN profile {profile_id}: {name}".strip(),
                      listed_on=parsed.entry_dates.get(profile_id, ""), sanctions=True)
    counts["published"] = parsed.issued


@dataclass(frozen=True)
class ListDefaults:
    """What every address of a plain list is: the user says (the file cannot)."""

    label: str
    category: str
    source: str
    confidence: str = "authority_data"
    sanctions: bool = False
    listed_on: str = ""


def _list_entries(path: Path) -> list[str]:
    try:
        text = read_regular_text(path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise TagSourceError(str(path), "address list", f"cannot be read ({exc})") from None
    if text.lstrip().startswith("["):
        try:
            entries = safejson.loads(text)
        except ValueError as exc:
            raise TagSourceError(str(path), "address list", f"is not a JSON array ({exc})") from None
        if not all(isinstance(e, str) for e in entries):
            raise TagSourceError(str(path), "address list", "holds entries that are not strings")
        return entries
    return [line.split("#", 1)[0].strip() for line in text.splitlines()]


def read_address_list(path: Path, defaults: ListDefaults, counts: dict[str, int]) -> Iterator[Tag]:
    """One tag per address of a plain list (lines, ``#`` comments, or a JSON array)."""
    for raw in _list_entries(path):
        if raw:
            yield Tag(address=raw, label=defaults.label, category=defaults.category, source=defaults.source,
                      confidence=defaults.confidence, actor="", abuse="sanction" if defaults.sanctions else "",
                      tagpack=path.name, kind="list",
                      entry=defaults.label if defaults.sanctions else "", listed_on=defaults.listed_on,
                      sanctions=defaults.sanctions)


def _text(path: Path, value: Any) -> str:
    if isinstance(value, (dict, list)):
        raise TagSourceError(str(path), "Ransomwhere export", "a field holds a list or object, not text")
    return clean_text(str(value or ""))


def read_ransomwhere(path: Path, counts: dict[str, int]) -> Iterator[Tag]:
    """Ransomwhere's export: each Bitcoin address with its ransomware family."""
    try:
        data = safejson.loads(read_regular_text(path))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise TagSourceError(str(path), "Ransomwhere export", f"cannot be read ({exc})") from None
    entries = data.get("result") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise TagSourceError(str(path), "Ransomwhere export", "has no 'result' list")
    for entry in entries:
        if not isinstance(entry, dict) or _text(path, entry.get("blockchain") or "bitcoin").lower() != "bitcoin":
            counts["skipped"] = counts.get("skipped", 0) + 1
            continue
        address = _text(path, entry.get("address"))
        family = _text(path, entry.get("family")) or "unknown family"
        yield Tag(address=address, label=f"{family} ransomware", category="perpetrator", source=RANSOMWHERE_SOURCE,
                  confidence="web_crawl", actor=family.lower(), abuse="ransomware", tagpack=path.name,
                  kind="ransomwhere", listed_on=_text(path, entry.get("createdAt"))[:10])
