"""A destruction certificate as a PDF, drawn from its frozen HTML (whose SHA-256 the
destruction and its trail entry hold), so the PDF shows exactly what was certified."""

import hashlib

from django.http import Http404


def pdf_of(destruction) -> bytes:
    if not destruction.certificate:
        raise Http404("This destruction has not been carried out")
    if hashlib.sha256(destruction.certificate.encode()).hexdigest() != (
        destruction.certificate_sha256
    ):
        raise ValueError(f"Destruction {destruction.pk}'s certificate does not match its digest")
    if destruction.certificate_pdf:
        return bytes(destruction.certificate_pdf)
    from weasyprint import HTML  # imported here: Pango is only needed to draw PDFs

    pdf = HTML(string=destruction.certificate).write_pdf()
    type(destruction).objects.filter(pk=destruction.pk).update(certificate_pdf=pdf)
    return pdf
