"""``btctrace sign``: an examiner's Ed25519 signature on an output folder."""

from __future__ import annotations

import os
from pathlib import Path

import click

from btctrace.cli.terminal import say
from btctrace.errors import UsageProblem
from btctrace.signing import sign_folder

__all__ = ["sign_command"]


@click.command("sign")
@click.argument("out_dir", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--key", "key_path", required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The examiner's Ed25519 private key (PEM or OpenSSH).")
@click.option("--signer", default="", help="Who signs, as the signature should name them (e.g. 'DC J. Smith, RCCU').")
@click.option("--passphrase-env", metavar="VAR", help="The environment variable holding the key's passphrase.")
def sign_command(out_dir: Path, key_path: Path, signer: str, passphrase_env: str | None) -> None:
    """Sign OUT_DIR's manifest (and taint/'s) with an examiner's Ed25519 key: signature.json,
    checked by btctrace verify. The manifest hashes every output and piece of evidence; the
    signature binds it, and what nothing else re-derives (the run's time, machine, workers), to
    the key. Give the public key to whoever verifies (verify --signer-key).

    \b
    Examples:
      openssl genpkey -algorithm ed25519 -out examiner.pem
      openssl pkey -in examiner.pem -pubout -out examiner.pub
      btctrace sign out/demo-ransom --key examiner.pem --signer "DC J. Smith, RCCU"
      btctrace verify out/demo-ransom --signer-key examiner.pub
    """
    passphrase = None
    if passphrase_env:
        if passphrase_env not in os.environ:
            raise UsageProblem(f"the environment variable {passphrase_env} is not set", "Export the key's passphrase in it")
        passphrase = os.environ[passphrase_env].encode("utf-8")
    path = sign_folder(out_dir, key_path, signer, passphrase)
    say(f"Signed {out_dir}: {path}")
