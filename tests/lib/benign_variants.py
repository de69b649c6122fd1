"""Benign variants of a good PDF: what publishing workflows do to a report after it is made.

Each variant is the same document passed through one tool: rewritten (qpdf, mutool, pdftk, pikepdf,
pypdf), encrypted with an owner password, sealed or signed by an incremental update (pypdf, pyHanko),
or carrying a defect every reader repairs (bytes after %%EOF, cross-reference offsets a few bytes off).
Every one must load with the same records as its source (tests/test_benign_variants.py,
benchmarks/benign_campaign.py).

`make(kind, source, target)` writes the variant; `missing_tool(kind)` names the system tool a kind
needs when it is not installed (the pure-Python kinds need none).
"""

from __future__ import annotations

import datetime
import io
import random
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

# Ghostscript re-distils the page: its text layer may come out broken (glyphs re-encoded without a
# ToUnicode map), which is a case for OCR, not the integrity checks. Not among the kinds that must
# load exactly; the benign campaign reports it apart.
REDISTILLED = ("gs_pdfwrite",)


def _run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, capture_output=True, timeout=300)


def _qpdf(*options: str) -> Callable[[Path, Path], None]:
    def make(source: Path, target: Path) -> None:
        # qpdf exits 3 when it succeeded with warnings (it repairs what it reads).
        result = subprocess.run(
            ["qpdf", *options, str(source), str(target)], capture_output=True, timeout=300, check=False
        )
        if result.returncode not in (0, 3):
            raise subprocess.CalledProcessError(result.returncode, result.args, result.stdout, result.stderr)

    return make


def _mutool_clean(source: Path, target: Path) -> None:
    _run(["mutool", "clean", "-gg", "-z", str(source), str(target)])


def _pdftk(source: Path, target: Path) -> None:
    _run(["pdftk", str(source), "cat", "output", str(target)])


def _pdftk_merge(source: Path, target: Path) -> None:
    """Two halves of the document joined back together: how a merge of parts is made."""
    import pypdf

    count = len(pypdf.PdfReader(source).pages)
    half = max(1, count // 2)
    parts = [target.with_suffix(".a.pdf"), target.with_suffix(".b.pdf")]
    _run(["pdftk", str(source), "cat", f"1-{half}", "output", str(parts[0])])
    if half < count:
        _run(["pdftk", str(source), "cat", f"{half + 1}-end", "output", str(parts[1])])
        _run(["pdftk", str(parts[0]), str(parts[1]), "cat", "output", str(target)])
    else:
        shutil.copy(parts[0], target)
    for part in parts:
        part.unlink(missing_ok=True)


def _gs_pdfwrite(source: Path, target: Path) -> None:
    _run(
        [
            "gs",
            "-q",
            "-dNOPAUSE",
            "-dBATCH",
            "-dSAFER",
            "-sDEVICE=pdfwrite",
            f"-sOutputFile={target}",
            str(source),
        ]
    )


def _pikepdf_save(linearize: bool) -> Callable[[Path, Path], None]:
    """Rewritten by qpdf's library: objects packed into object streams, or linearized (web view)."""

    def make(source: Path, target: Path) -> None:
        import pikepdf

        with pikepdf.open(source) as pdf:
            if linearize:
                pdf.save(target, linearize=True)
            else:
                pdf.save(target, object_stream_mode=pikepdf.ObjectStreamMode.generate)

    return make


def _encrypted(aes256: bool) -> Callable[[Path, Path], None]:
    """Owner password only (anyone may open it, editing is forbidden): as many reports are published."""

    def make(source: Path, target: Path) -> None:
        import pikepdf

        permissions = pikepdf.Permissions(modify_other=False, modify_annotation=False, extract=True)
        encryption = pikepdf.Encryption(
            owner="owner", user="", R=6 if aes256 else 3, allow=permissions, aes=aes256, metadata=aes256
        )
        with pikepdf.open(source) as pdf:
            pdf.save(target, encryption=encryption)

    return make


def _pypdf_merge(source: Path, target: Path) -> None:
    """The document's pages appended, in two parts, to a new file by pypdf's merger."""
    import pypdf

    count = len(pypdf.PdfReader(source).pages)
    writer = pypdf.PdfWriter()
    writer.append(str(source), pages=(0, count // 2))
    writer.append(str(source), pages=(count // 2, count))
    with target.open("wb") as out:
        writer.write(out)


def _pypdf_stamp(source: Path, target: Path) -> None:
    """An incremental update adding a stamp annotation to page 1: how an electronic seal is applied."""
    import pypdf
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject

    writer = pypdf.PdfWriter(str(source), incremental=True)
    stamp = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Stamp"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (400, 40, 520, 160)]),
            NameObject("/Name"): NameObject("/Approved"),
            NameObject("/Contents"): TextStringObject("seal"),
        }
    )
    writer.add_annotation(page_number=0, annotation=stamp)
    with target.open("wb") as out:
        writer.write(out)


def _signer(work: Path):
    """A self-signed signing certificate and key, made on the spot (nothing secret is committed)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    from pyhanko.sign import signers

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "selfeval test seal")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = work / "seal.key.pem", work / "seal.cert.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return signers.SimpleSigner.load(str(key_file), str(cert_file))


def _pyhanko_signature(visible: bool) -> Callable[[Path, Path], None]:
    def make(source: Path, target: Path) -> None:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        signer = _signer(target.parent)
        with source.open("rb") as infile:
            writer = IncrementalPdfFileWriter(infile, strict=False)
            if visible:
                fields.append_signature_field(
                    writer, fields.SigFieldSpec("Seal", on_page=0, box=(400, 40, 520, 160))
                )
            metadata = signers.PdfSignatureMetadata(field_name="Seal")
            out = io.BytesIO()
            signers.sign_pdf(writer, metadata, signer=signer, output=out)
        target.write_bytes(out.getvalue())

    return make


def _bytes_after_eof(source: Path, target: Path) -> None:
    """What some servers and upload forms append: a line of padding after the last %%EOF."""
    target.write_bytes(source.read_bytes() + b"\r\n\x00\x00 padding from the download server \n")


_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) n(?=\s)")


def _xref_offsets_off(source: Path, target: Path) -> None:
    """Every in-use entry of the classic cross-reference tables moved 1 to 3 bytes (the defect of a
    writer that counts a line ending one byte short): each object still starts right beside it."""
    data = source.read_bytes()
    rng = random.Random(data[:64])
    start = data.rfind(b"\nxref")
    if start < 0:  # a cross-reference stream: a variant of another kind then
        raise ValueError(f"{source.name} has no classic cross-reference table")
    end = data.index(b"trailer", start)
    table = _XREF_ENTRY.sub(
        lambda m: b"%010d %s n" % (int(m.group(1)) + rng.choice((-3, -2, -1, 1, 2, 3)), m.group(2)),
        data[start:end],
    )
    target.write_bytes(data[:start] + table + data[end:])


# kind: (system tool it needs or None, maker)
KINDS: dict[str, tuple[str | None, Callable[[Path, Path], None]]] = {
    "pypdf_incremental_stamp": (None, _pypdf_stamp),
    "pypdf_merge": (None, _pypdf_merge),
    "pyhanko_signature_invisible": (None, _pyhanko_signature(visible=False)),
    "pyhanko_signature_visible": (None, _pyhanko_signature(visible=True)),
    "pikepdf_object_streams": (None, _pikepdf_save(linearize=False)),
    "pikepdf_linearized": (None, _pikepdf_save(linearize=True)),
    "owner_password_aes256": (None, _encrypted(aes256=True)),
    "owner_password_rc4": (None, _encrypted(aes256=False)),
    "bytes_after_eof": (None, _bytes_after_eof),
    "xref_offsets_off": (None, _xref_offsets_off),
    "qpdf_object_streams": ("qpdf", _qpdf("--object-streams=generate")),
    "qpdf_linearized": ("qpdf", _qpdf("--linearize")),
    "qpdf_qdf": ("qpdf", _qpdf("--qdf")),
    "mutool_clean": ("mutool", _mutool_clean),
    "pdftk_rewrite": ("pdftk", _pdftk),
    "pdftk_merge": ("pdftk", _pdftk_merge),
    "gs_pdfwrite": ("gs", _gs_pdfwrite),
}


def missing_tool(kind: str) -> str | None:
    """The system tool `kind` needs when it is not installed, else None."""
    tool = KINDS[kind][0]
    return tool if tool is not None and shutil.which(tool) is None else None


def make(kind: str, source: Path, target: Path) -> Path:
    KINDS[kind][1](source, target)
    return target
