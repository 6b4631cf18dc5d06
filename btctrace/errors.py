"""One error hierarchy for everything btctrace raises on purpose.

Each subclass takes domain values and composes a message that says what failed and what to
do next (after graphsense-lib's user-facing exceptions). Each carries an exit code from
:class:`ExitCode`; only the CLI boundary catches these, prints one line and exits with it.
Anything else that escapes is a bug and shows a traceback.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = [
    "ExitCode",
    "BtctraceError",
    "UsageProblem",
    "InvalidAddress",
    "WrongNetwork",
    "InvalidTxid",
    "InvalidSeed",
    "CaseFileError",
    "TagFileError",
    "NotesFileError",
    "ProviderError",
    "NotFound",
    "RateLimited",
    "ResponseTooLarge",
    "IncompleteHistory",
    "ProviderUnavailable",
    "BadResponse",
    "AnswerRefused",
    "CassetteError",
    "CassetteAnswerRefused",
    "RecordingBusy",
    "OfflineMiss",
    "MissingDependency",
    "OutputError",
    "ExportStopped",
    "Interrupted",
    "ManifestError",
    "SigningError",
    "DownloadFailed",
    "StoreError",
    "TagSourceError",
    "ProofsMissing",
    "released",
]


class ExitCode(IntEnum):
    """Documented process exit codes (also listed in the README)."""

    OK = 0
    ERROR = 1
    USAGE = 2
    CASE_FILE = 3
    PROVIDER = 4
    OFFLINE_MISS = 5
    MISSING_DEPENDENCY = 6
    OUTPUT = 7
    NOT_VERIFIED = 8
    STORE = 9
    INTERRUPTED = 130


def released(exc: BaseException) -> BaseException:
    """*exc*, handled and carried on from, without the frames it was raised through: a fetcher
    keeps its failures for the run, and a kept traceback would hold the transport (and a
    replayed cassette's answers) in a reference cycle."""
    link: BaseException | None = exc
    while link is not None:
        link.__traceback__ = None
        link = link.__context__
    return exc


class BtctraceError(Exception):
    """Base of every deliberate btctrace error."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, hint: str = "") -> None:
        self.message = message
        self.hint = hint
        super().__init__(self.user_message)

    @property
    def user_message(self) -> str:
        """One line: what failed, then what to do."""
        return f"{self.message}. {self.hint}" if self.hint else self.message


class UsageProblem(BtctraceError):
    """Bad seeds, options or option combinations."""

    exit_code = ExitCode.USAGE


class InvalidAddress(UsageProblem):
    def __init__(self, address: str, reason: str) -> None:
        self.address = address
        self.reason = reason
        super().__init__(
            f"{address!r} is not a valid Bitcoin address: {reason}",
            "Check it character by character against the source (ransom note, e-mail)",
        )


class WrongNetwork(UsageProblem):
    def __init__(self, address: str, found: str, expected: str) -> None:
        self.address = address
        self.found = found
        self.expected = expected
        super().__init__(
            f"{address} is a {found} address, not a {expected} one",
            f"Use an explorer for {found} (e.g. --api-url for that network) or check the address",
        )


class InvalidTxid(UsageProblem):
    def __init__(self, txid: str) -> None:
        self.txid = txid
        super().__init__(
            f"{txid!r} is not a transaction id",
            "A txid is 64 hexadecimal characters (optionally followed by :vout for one output)",
        )


class InvalidSeed(UsageProblem):
    def __init__(self, seed: str, reason: str) -> None:
        self.seed = seed
        super().__init__(f"seed {seed!r} cannot be traced: {reason}")


class CaseFileError(BtctraceError):
    """A case file is missing, unreadable or has an invalid field."""

    exit_code = ExitCode.CASE_FILE

    def __init__(self, path: str, field: str, reason: str) -> None:
        self.path = path
        self.field = field
        self.reason = reason
        where = f"{path}: [{field}]" if field else str(path)
        super().__init__(f"case file {where}: {reason}", "Fix the case file and run again")


class TagFileError(BtctraceError):
    """A TagPack file cannot be read."""

    exit_code = ExitCode.USAGE

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        super().__init__(f"TagPack {path}: {reason}", "Check the file is GraphSense TagPack YAML")


class NotesFileError(BtctraceError):
    """An analyst's notes file (downloaded from explorer.html) cannot be used."""

    exit_code = ExitCode.USAGE

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        super().__init__(f"notes file {path}: {reason}",
                         "Give the JSON file that explorer.html's 'Download notes' saved")


class ProviderError(BtctraceError):
    """An explorer failed to give a usable answer."""

    exit_code = ExitCode.PROVIDER

    def __init__(self, url: str, message: str, hint: str = "") -> None:
        self.url = url
        super().__init__(message, hint)


class NotFound(ProviderError):
    def __init__(self, url: str, kind: str, ident: str) -> None:
        self.kind = kind
        self.ident = ident
        super().__init__(
            url,
            f"{kind} {ident} not found at {url}",
            "Check the id and that --api-url points at the right network",
        )


class RateLimited(ProviderError):
    def __init__(self, url: str, attempts: int, retry_after: float | None) -> None:
        self.attempts = attempts
        self.retry_after = retry_after
        wait = f"; it asked to wait {retry_after:g} s" if retry_after else ""
        super().__init__(
            url,
            f"the explorer kept refusing with HTTP 429 (rate limited) after {attempts} attempts at {url}{wait}",
            "Wait, lower --rate, or use another explorer with --api-url; rerun with --record to keep what was fetched",
        )


class ProviderUnavailable(ProviderError):
    def __init__(self, url: str, attempts: int, detail: str) -> None:
        self.attempts = attempts
        self.detail = detail
        super().__init__(
            url,
            f"the explorer did not answer usefully after {attempts} attempts at {url} ({detail})",
            "Check the network and --api-url, or try another explorer",
        )


class DownloadFailed(ProviderError):
    """A public attribution source could not be downloaded (``btctrace tags fetch``)."""

    def __init__(self, url: str, detail: str) -> None:
        self.detail = detail
        super().__init__(url, f"the download of {url} failed: {detail}",
                         "Check the network, or give the source's file with --url (a mirror) or import it with tags import")


class BadResponse(ProviderError):
    def __init__(self, url: str, status: int, detail: str) -> None:
        self.status = status
        self.detail = detail
        super().__init__(
            url,
            f"the explorer answered HTTP {status} at {url}: {detail}",
            "Check that --api-url is an Esplora API (e.g. https://blockstream.info/api)",
        )


class AnswerRefused(BadResponse):
    """An explorer answer failed one of the named checks (:mod:`btctrace.providers.checks`):
    it is refused like any bad response, never used."""

    def __init__(self, url: str, check: str, subject: str, detail: str) -> None:
        self.check = check
        self.subject = subject
        self.status = 200
        self.detail = f"check {check} failed for {subject}: {detail}"
        ProviderError.__init__(
            self, url, f"the explorer's answer at {url} was refused: {self.detail}",
            "The explorer is inconsistent, lagging or untrustworthy: retry later, or add another --api-url to fail over to",
        )


class ResponseTooLarge(ProviderError):
    """An answer larger than the body bound: read no further, so a hostile or broken explorer
    cannot exhaust memory."""

    def __init__(self, url: str, limit: int, declared: int | None) -> None:
        self.limit = limit
        self.declared = declared
        size = f"{declared:,} bytes declared" if declared is not None else "it kept coming"
        super().__init__(
            url,
            f"the explorer's answer at {url} is larger than the {limit:,}-byte bound ({size}); read no further",
            "If the explorer is trusted and the transaction is truly that large, raise --max-response-mb",
        )


class IncompleteHistory(ProviderError):
    """Paging an address history ended before the explorer's own transaction count."""

    def __init__(self, url: str, address: str, got: int, expected: int) -> None:
        self.address = address
        self.got = got
        self.expected = expected
        super().__init__(
            url,
            f"the explorer listed {got} of the {expected} confirmed transactions it counts for {address}: "
            f"a history page came back short twice (last asked: {url})",
            "The explorer is inconsistent or lagging: retry later or add another --api-url",
        )


class CassetteError(BtctraceError):
    """A cassette file is missing, corrupt or of the wrong shape."""

    exit_code = ExitCode.OFFLINE_MISS

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        super().__init__(
            f"cassette {path}: {reason}",
            "Use a cassette written by btctrace --record (or vcrpy, JSON serializer)",
        )


class CassetteAnswerRefused(CassetteError):
    """Offline: an answer in the cassette failed a check (an altered cassette, or one recorded
    from an inconsistent explorer)."""

    def __init__(self, path: str, refused: AnswerRefused) -> None:
        self.refused = refused
        BtctraceError.__init__(
            self,
            f"cassette {path}: {refused.detail} (at {refused.url})",
            "The cassette was altered or recorded from an inconsistent explorer: record it again from a trusted one",
        )
        self.path = path


class RecordingBusy(UsageProblem):
    """Another btctrace is recording to the same cassette right now (its journal is locked)."""

    def __init__(self, journal: str) -> None:
        self.journal = journal
        super().__init__(f"another btctrace is recording to this cassette right now (its journal {journal} is locked)",
                         "Wait for that run to finish, or record to another cassette")


class OfflineMiss(BtctraceError):
    """Offline replay was asked for a request the cassette does not hold."""

    exit_code = ExitCode.OFFLINE_MISS

    def __init__(self, method: str, url: str, cassette: str) -> None:
        self.method = method
        self.url = url
        self.cassette = cassette
        super().__init__(
            f"offline: the cassette {cassette} has no response for {method} {url}",
            "Use the same seeds, limits and --api-url as when it was recorded, or re-record with --record",
        )


class MissingDependency(BtctraceError):
    exit_code = ExitCode.MISSING_DEPENDENCY

    def __init__(self, feature: str, package: str) -> None:
        self.package = package
        super().__init__(f"{feature} needs the package {package}", f"pip install {package}")


class OutputError(BtctraceError):
    """An output folder or file cannot be written."""

    exit_code = ExitCode.OUTPUT

    def __init__(self, path: str, reason: str, hint: str = "") -> None:
        self.path = path
        super().__init__(f"cannot write {path}: {reason}", hint)


class ExportStopped(BtctraceError):
    """A child process writing a group of exports was stopped by a signal (the system out of
    memory kills with SIGKILL): not a bug, and the run says which files it could not write."""

    exit_code = ExitCode.OUTPUT

    def __init__(self, what: str, signal_number: int, not_written: list[str]) -> None:
        import signal

        try:
            name = signal.Signals(signal_number).name
        except ValueError:
            name = f"signal {signal_number}"
        why = f"{name}, often the system out of memory" if signal_number == signal.SIGKILL else name
        self.not_written = list(not_written)
        super().__init__(f"writing the {what} was stopped by the system ({why}); not written: "
                         f"{', '.join(not_written)}; the folder is marked incomplete",
                         "free memory (or trace fewer transactions) and run the trace again")


class ExportFailed(BtctraceError):
    """A child process writing a group of exports ended with an error that is not a write
    refused (a bug: its traceback is printed above this line); the run says which files it
    could not write."""

    exit_code = ExitCode.OUTPUT

    def __init__(self, what: str, exit_status: int, not_written: list[str]) -> None:
        self.not_written = list(not_written)
        super().__init__(f"writing the {what} failed in its child process (exit code {exit_status}, the error "
                         f"above); not written: {', '.join(not_written)}; the folder is marked incomplete",
                         "report it with the lines above; the other files were written")


class Interrupted(BtctraceError):
    """Ctrl-C or SIGTERM during a trace."""

    exit_code = ExitCode.INTERRUPTED

    def __init__(self, journal: str | None) -> None:
        self.journal = journal
        hint = (f"Every response fetched so far is in {journal}: run the same command with --resume to continue"
                if journal else "Nothing was recorded (no --record)")
        super().__init__("interrupted", hint)


class ManifestError(BtctraceError):
    """An output folder's manifest is missing or unreadable: nothing can be verified."""

    exit_code = ExitCode.NOT_VERIFIED

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        super().__init__(f"cannot verify: {path}: {reason}", "Verify the folder a btctrace run wrote")


class SigningError(BtctraceError):
    """A signing key or an output folder's signature cannot be read (``btctrace sign``, ``verify``)."""

    exit_code = ExitCode.USAGE

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message, hint or "See btctrace sign --help")


class StoreError(BtctraceError):
    """The investigation store cannot be opened, migrated, read or written."""

    exit_code = ExitCode.STORE

    def __init__(self, location: str, reason: str, hint: str = "") -> None:
        self.location = location
        super().__init__(f"store {location}: {reason}",
                         hint or "Check --store / BTCTRACE_STORE, or run with --no-store")


class TagSourceError(TagFileError):
    """An attribution file (OFAC XML, address list, Ransomwhere export) that cannot be imported."""

    def __init__(self, path: str, kind: str, reason: str) -> None:
        self.path = path
        BtctraceError.__init__(self, f"{kind} file {path}: {reason}",
                               f"Check it is {kind} as published (see btctrace tags import --help)")


class ProofsMissing(BtctraceError):
    """``--require-proofs``: transactions whose block or place in it could not be proven."""

    exit_code = ExitCode.PROVIDER

    def __init__(self, unproven: int, traced: int, why: str) -> None:
        self.unproven = unproven
        super().__init__(f"{unproven:,} of {traced:,} traced transactions could not be proven in their blocks ({why})",
                         "Use an explorer that serves /block/:hash/header and /tx/:txid/merkle-proof "
                         "(blockstream.info, mempool.space), or drop --require-proofs to write the exhibits "
                         "with the unproven ones named")
