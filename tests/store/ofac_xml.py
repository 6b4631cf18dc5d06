"""A small ``sdn_advanced.xml`` in OFAC's published ADVANCED_XML schema (namespace, reference
value sets, distinct parties with profiles, identities, aliases and features, sanctions
entries), written by the tests: the real file (~80 MB) is not in ../shared."""

NAMESPACE = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML"


def _party(profile_id: int, name_parts: list[str], features: list[tuple[int, str]]) -> str:
    names = "".join(f'<DocumentedNamePart><NamePartValue NamePartGroupID="{profile_id}{i}" ScriptID="215" '
                     f'ScriptStatusID="1" Acronym="false">{part}</NamePartValue></DocumentedNamePart>'
                     for i, part in enumerate(name_parts))
    feats = "".join(f'<Feature ID="{profile_id}{n}" FeatureTypeID="{type_id}"><FeatureVersion ID="{profile_id}{n}1" '
                    f'ReliabilityID="1"><VersionDetail DetailTypeID="1432">{value}</VersionDetail></FeatureVersion>'
                    f'<IdentityReference IdentityID="{profile_id}0" IdentityFeatureLinkTypeID="1"/></Feature>'
                    for n, (type_id, value) in enumerate(features))
    return (f'<DistinctParty FixedRef="{profile_id}"><Comment/><Profile ID="{profile_id}" PartySubTypeID="4">'
            f'<Identity ID="{profile_id}0" FixedRef="{profile_id}" Primary="true" False="false">'
            f'<Alias FixedRef="{profile_id}" AliasTypeID="1400" Primary="false" LowQuality="false">'
            f'<DocumentedName ID="{profile_id}8" FixedRef="{profile_id}" DocNameStatusID="2">'
            f'<DocumentedNamePart><NamePartValue NamePartGroupID="1" ScriptID="215" ScriptStatusID="1" '
            f'Acronym="false">AKA NAME</NamePartValue></DocumentedNamePart></DocumentedName></Alias>'
            f'<Alias FixedRef="{profile_id}" AliasTypeID="1403" Primary="true" LowQuality="false">'
            f'<DocumentedName ID="{profile_id}9" FixedRef="{profile_id}" DocNameStatusID="1">{names}'
            f'</DocumentedName></Alias></Identity>{feats}</Profile></DistinctParty>')


def _entry(entry_id: int, profile_id: int, date: tuple[int, int, int]) -> str:
    year, month, day = date
    return (f'<SanctionsEntry ID="{entry_id}" ProfileID="{profile_id}" ListID="1550">'
            f'<EntryEvent ID="{entry_id}1" EntryEventTypeID="1" LegalBasisID="1"><Date CalendarTypeID="1">'
            f'<Year>{year}</Year><Month>{month}</Month><Day>{day}</Day></Date><Comment/></EntryEvent>'
            f'<SanctionsMeasure ID="{entry_id}2" SanctionsTypeID="1"><Comment>CYBER2</Comment></SanctionsMeasure>'
            f'</SanctionsEntry>')


def sdn_advanced_xml(hydra_address: str, other_xbt: str) -> str:
    """Three parties: Hydra (one XBT address, one ETH), a person with an XBT address and an
    invalid one, and a vessel without digital currency."""
    parties = (
        _party(36201, ["HYDRA MARKET"], [(344, hydra_address), (345, "0x7F367cC41522cE07553e823bf3be79A889DEbe1B")])
        + _party(40777, ["Aleksandr", "YERMAKOV"], [(344, other_xbt), (344, "1NotAValidAddressAtAll")])
        + _party(9999, ["SEA BREEZE"], [(25, "IMO 1234567")])
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><Sanctions xmlns="{NAMESPACE}">'
            '<DateOfIssue><Year>2024</Year><Month>9</Month><Day>26</Day></DateOfIssue>'
            '<ReferenceValueSets><FeatureTypeValues>'
            '<FeatureType ID="25" FeatureTypeGroupID="1">Vessel Call Sign</FeatureType>'
            '<FeatureType ID="344" FeatureTypeGroupID="1">Digital Currency Address - XBT</FeatureType>'
            '<FeatureType ID="345" FeatureTypeGroupID="1">Digital Currency Address - ETH</FeatureType>'
            f'</FeatureTypeValues></ReferenceValueSets><DistinctParties>{parties}</DistinctParties>'
            f'<SanctionsEntries>{_entry(1, 36201, (2022, 4, 5))}{_entry(2, 40777, (2024, 1, 23))}</SanctionsEntries>'
            '</Sanctions>')
