"""``btctrace tags fetch`` and ``tags sources`` (btctrace/sources/fetch.py) against a loopback
file server the test starts: each public source downloaded, kept, imported with its options and
its origin recorded; an archive's hostile members refused; failures one line (issue 33)."""

import io
import json
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from btctrace.cli import cli
from btctrace.errors import ExitCode, TagSourceError
from btctrace.sources.fetch import unpack_tagpacks
from btctrace.store import open_store
from tests.store.ofac_xml import sdn_advanced_xml

HYDRA = "16ZSAEfYpPCj3D94fsNt2okYj9Ue8mxy6T"
BINANCE = "34xp4vRoCGJym3xR7yCVPFHoCNxv4Twseo"
PACK = f"title: t\ncreator: c\nlabel: Example Exchange\ncategory: exchange\nsource: s\ntags:\n- address: '{BINANCE}'\n"


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.fixture
def files():
    """A loopback server answering the paths of a dict (404 otherwise)."""
    served: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = served.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    served["base"] = f"http://127.0.0.1:{server.server_address[1]}".encode()
    yield served
    server.shutdown()
    server.server_close()


def _fetch(files, tmp_path, name, path, *extra):
    url = files["base"].decode() + path
    return CliRunner().invoke(cli, ["tags", "fetch", name, "--url", url, "--into", str(tmp_path / "sources"),
                                    "--store", str(tmp_path / "store.sqlite"), *extra])


def test_each_source_is_fetched_kept_and_imported_with_its_options(files, tmp_path):
    files["/sdn.xml"] = sdn_advanced_xml(HYDRA, BINANCE).encode()
    files["/xbt.txt"] = f"{HYDRA}\n".encode()
    files["/export"] = json.dumps({"result": [{"address": HYDRA, "family": "Netwalker", "blockchain": "bitcoin"}]}).encode()
    files["/packs.zip"] = _zip({"graphsense-tagpacks-master/packs/ex.yaml": PACK, "graphsense-tagpacks-master/README.md": "x"})
    for name, path in (("ofac", "/sdn.xml"), ("ofac-0xb10c", "/xbt.txt"), ("ransomwhere", "/export"),
                       ("graphsense", "/packs.zip")):
        result = _fetch(files, tmp_path, name, path)
        assert result.exit_code == 0, result.output
        assert "fetched" in result.stdout and "sha256" in result.stdout
    store = open_store(str(tmp_path / "store.sqlite"))
    tags = store.lookup([HYDRA, BINANCE])
    sources = {s.name: s for s in store.stats().sources}
    store.close()
    assert sorted(t.kind for t in tags[HYDRA]) == ["list", "ofac", "ransomwhere"]
    assert all(t.is_sanction for t in tags[HYDRA] if t.kind in ("list", "ofac"))  # the 0xB10C list: --sanctions
    assert sources["tagpack:ex.yaml"].source_url.endswith("/packs.zip") and sources["ofac:sdn_advanced.xml"].fetched_at
    assert (tmp_path / "sources" / "sdn_advanced.xml").read_bytes() == files["/sdn.xml"]


def test_an_unchanged_source_fetched_again_is_fresher_not_imported_twice(files, tmp_path):
    files["/xbt.txt"] = f"{HYDRA}\n".encode()
    _fetch(files, tmp_path, "ofac-0xb10c", "/xbt.txt")
    store = open_store(str(tmp_path / "store.sqlite"))
    store.db.execute("UPDATE tag_sources SET fetched_at = '2020-01-01T00:00:00Z'")
    store.close()
    listed = CliRunner().invoke(cli, ["tags", "sources", "--store", str(tmp_path / "store.sqlite")])
    assert "STALE" in listed.stdout and "fresh for 7" in listed.stdout
    again = _fetch(files, tmp_path, "ofac-0xb10c", "/xbt.txt")
    assert "unchanged since" in again.stdout
    listed = CliRunner().invoke(cli, ["tags", "sources", "--store", str(tmp_path / "store.sqlite")])
    assert "STALE" not in listed.stdout and "0 days old" in listed.stdout


def test_a_failed_download_is_one_line_and_leaves_nothing(files, tmp_path):
    result = _fetch(files, tmp_path, "ofac", "/missing.xml")
    assert result.exit_code == ExitCode.PROVIDER and "HTTP 404" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not list((tmp_path / "sources").glob("*"))


@pytest.mark.parametrize("name", ["top/packs/../../escape.yaml", "top/packs/a/../../../escape.yaml"])
def test_an_archive_member_leaving_its_folder_is_refused(tmp_path, name):
    archive = tmp_path / "a.zip"
    archive.write_bytes(_zip({"top/packs/ok.yaml": PACK, name: PACK}))
    with pytest.raises(TagSourceError, match="leaves its folder"):
        unpack_tagpacks(archive, "packs", tmp_path / "out")
    assert not (tmp_path / "escape.yaml").exists()


def test_an_archive_larger_than_its_bound_stops(tmp_path):
    archive = tmp_path / "a.zip"
    archive.write_bytes(_zip({"top/packs/big.yaml": "x" * 10_000}))
    with pytest.raises(TagSourceError, match="unpacks to more than"):
        unpack_tagpacks(archive, "packs", tmp_path / "out", limit=1_000)
