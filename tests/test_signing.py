"""An examiner's signature on an output folder (btctrace/signing.py): signed, checked by verify,
and any edit of the manifest after signing named (issue 32)."""

import json
import shutil

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from btctrace.cli import cli
from btctrace.errors import ExitCode
from tests.conftest import PROJECT_ROOT


def invoke(*args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="btctrace", env=env)


@pytest.fixture(scope="module")
def signed_source(tmp_path_factory):
    """The demo case run once; each test signs a copy."""
    root = tmp_path_factory.mktemp("signing")
    shutil.copytree(PROJECT_ROOT / "cases", root / "cases")
    shutil.copytree(PROJECT_ROOT / "cassettes", root / "cassettes")
    result = invoke("case", "run", root / "cases" / "demo-ransom.toml", "--out", root / "out", "-q")
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def folder(signed_source, tmp_path, monkeypatch):
    shutil.copytree(signed_source / "cases", tmp_path / "cases")
    shutil.copytree(signed_source / "cassettes", tmp_path / "cassettes")
    shutil.copytree(signed_source / "out", tmp_path / "out")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "out"


def _key(path, openssh=False, passphrase=None):
    key = Ed25519PrivateKey.generate()
    encryption = serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH if openssh
                                       else serialization.PrivateFormat.PKCS8, encryption))
    public = path.with_suffix(".pub")
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return path, public


def _sign(folder, key, *extra):
    result = invoke("sign", folder, "--key", key, "--signer", "DC J. Smith, RCCU", *extra)
    assert result.exit_code == 0, result.output
    return result


def test_a_signed_folder_verifies_against_the_examiners_key(folder, tmp_path):
    key, public = _key(tmp_path / "examiner.pem")
    _sign(folder, key)
    document = json.loads((folder / "signature.json").read_text())
    assert document["signed"]["signer"] == "DC J. Smith, RCCU" and set(document["signed"]["files"]) == {"manifest.json"}
    result = invoke("verify", folder, "--signer-key", public)
    assert result.exit_code == 0, result.output
    assert f"OK    signature: signed by key {document['key_fingerprint']} (DC J. Smith, RCCU" in result.stdout
    assert "PRIVATE" not in (folder / "signature.json").read_text()


def test_a_statement_edited_after_signing_is_named(folder, tmp_path):
    """Issue 32: workers (which no output re-derives) edited in the manifest: only the
    signature can tell, and it does."""
    key, public = _key(tmp_path / "examiner.pem")
    _sign(folder, key)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["parameters"]["workers"] = 1
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    result = invoke("verify", folder)
    assert result.exit_code == ExitCode.NOT_VERIFIED
    assert "FAIL  signature: manifest.json changed after key SHA256:" in result.stdout


@pytest.mark.parametrize("damage, said", [
    (lambda d: d["signed"].update(signer="Somebody else"), "does not match its content"),
    (lambda d: d["signed"]["files"].update({"manifest.json": "0" * 64}), "does not match its content"),
])
def test_an_edited_signature_is_named(folder, tmp_path, damage, said):
    key, _ = _key(tmp_path / "examiner.pem")
    _sign(folder, key)
    document = json.loads((folder / "signature.json").read_text())
    damage(document)
    (folder / "signature.json").write_text(json.dumps(document))
    result = invoke("verify", folder)
    assert result.exit_code == ExitCode.NOT_VERIFIED and said in result.stdout


def test_another_examiners_key_or_no_signature_fails_when_a_key_is_pinned(folder, tmp_path):
    key, _ = _key(tmp_path / "someone.pem")
    _, expected = _key(tmp_path / "examiner.pem")
    unsigned = invoke("verify", folder, "--signer-key", expected)
    assert unsigned.exit_code == ExitCode.NOT_VERIFIED and "the folder is not signed" in unsigned.stdout
    _sign(folder, key)
    result = invoke("verify", folder, "--signer-key", expected)
    assert result.exit_code == ExitCode.NOT_VERIFIED and "not by the key given" in result.stdout


def test_openssh_and_passphrase_protected_keys(folder, tmp_path):
    key, public = _key(tmp_path / "id_ed25519", openssh=True, passphrase=b"correct horse")
    refused = invoke("sign", folder, "--key", key)
    assert refused.exit_code == ExitCode.USAGE and "protected by a passphrase" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    signed = invoke("sign", folder, "--key", key, "--passphrase-env", "EXAMINER_PASSPHRASE",
                    env={"EXAMINER_PASSPHRASE": "correct horse"})
    assert signed.exit_code == 0, signed.output
    assert invoke("verify", folder, "--signer-key", public).exit_code == 0


def test_taint_written_after_signing_is_said_not_covered(folder, tmp_path):
    key, _ = _key(tmp_path / "examiner.pem")
    _sign(folder, key)
    assert invoke("taint", folder, "--method", "fifo").exit_code == 0
    result = invoke("verify", folder)
    assert result.exit_code == 0, result.output
    assert "taint/taint_manifest.json was written after signing and is not covered" in result.stdout


def test_a_rerun_with_force_removes_the_stale_signature(folder, tmp_path):
    key, _ = _key(tmp_path / "examiner.pem")
    _sign(folder, key)
    result = invoke("case", "run", "cases/demo-ransom.toml", "--out", folder, "--force", "-q")
    assert result.exit_code == 0, result.output
    assert not (folder / "signature.json").exists()
