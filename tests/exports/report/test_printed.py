"""The report printed as an investigator prints it: headless Chromium (Debian ``chromium``) to
PDF on A4 and on Letter. ``pdftotext`` must find every txid and deposit address of the subpoena
packet whole, at its designed size (not shrunk to fit); ``pdftoppm`` page images must show
nothing in the right margin (nothing wider than the page, nothing clipped). Skipped without
chromium or poppler-utils (.ci/run installs both)."""

import re
import shutil
import subprocess

import pandas as pd
import pytest

from tests.cli.conftest import DEMO_CASE, invoke

pytestmark = pytest.mark.skipif(not all(shutil.which(t) for t in ("chromium", "pdftotext", "pdftoppm")),
                                reason="needs Debian chromium and poppler-utils")
PAPERS = {"A4": (595, 842), "letter": (612, 792)}  # points
MARGIN_PT = 12 / 25.4 * 72
CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-pdf-header-footer"]


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("print") / "demo"
    assert invoke("case", "run", DEMO_CASE, "--out", out, "-q").exit_code == 0
    return out


@pytest.fixture(scope="module", params=sorted(PAPERS))
def printed(request, demo_out, tmp_path_factory):
    """(paper, pdf path) of the demo report printed on that paper."""
    paper = request.param
    folder = tmp_path_factory.mktemp(f"pdf-{paper}")
    html = (demo_out / "report.html").read_text()
    copy = folder / "report.html"  # the user's printer setting, as a print dialog would set it
    copy.write_text(html.replace("</head>", f"<style>@page{{size:{paper}}}</style></head>", 1))
    pdf = folder / "report.pdf"
    subprocess.run([*CHROMIUM, f"--user-data-dir={folder / 'profile'}", f"--print-to-pdf={pdf}", copy.as_uri()],
                   capture_output=True, timeout=180, check=True)
    return paper, pdf


def test_the_pages_are_the_paper_asked_for(printed):
    paper, pdf = printed
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    width, height = (round(float(x)) for x in re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert (width, height) == PAPERS[paper]
    assert 5 <= int(re.search(r"Pages:\s+(\d+)", info).group(1)) <= 20


def test_every_subpoena_txid_and_address_prints_whole_at_its_size(printed, demo_out):
    _, pdf = printed
    packet = pd.read_csv(demo_out / "subpoena.csv", dtype=str)
    words = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    found = {m.group(5): float(m.group(3)) - float(m.group(1))
             for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)</word>',
                                  words)}
    assert len(packet) > 0
    for txid in packet["txid"]:
        assert txid in found, f"{txid} is not whole on one line"
        assert found[txid] > 64 * 7 * 0.55, "printed at its size, not shrunk to fit"
    for address in packet["deposit_address"]:
        assert address in found


def test_no_text_is_broken_inside_a_time_or_a_category(printed):
    _, pdf = printed
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", text), "times are printed"
    assert not re.search(r"\d{4}-\d\d-?\n\d*-?\d*T", text), "a UTC time broken across lines"
    assert not re.search(r"tagged_se\s*\n\s*rvice|tagged_\n", text), "a category broken across lines"
    assert "- .. -" not in text


def test_nothing_reaches_into_the_right_margin(printed, tmp_path):
    from PIL import Image

    paper, pdf = printed
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert pages
    for page in pages:
        image = Image.open(page).convert("L")
        width, height = image.size
        margin = int(MARGIN_PT / 72 * 50) - 2
        band = image.crop((width - margin, 0, width, height))
        assert band.getextrema()[0] > 245, f"{page.name}: something printed in the right margin on {paper}"
