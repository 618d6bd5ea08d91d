#!/bin/sh
# Remakes the documents of parsers/hidden_test.go: text a reader of the document does not see,
# made by other producers than mailbot. The committed files are what the tests read (CI has
# neither LibreOffice nor tesseract). Debian: libreoffice-writer-nogui, poppler-utils,
# tesseract-ocr, tesseract-ocr-ita.
#
#   parsers/testdata/hidden/make.sh
#
# tracked.docx, tracked.odt: tracked.fodt (written by hand in LibreOffice's flat format, with
#   tracked changes: the codice IPA replaced, the PEC and the phone deleted) saved by LibreOffice
#   as DOCX (w:del / w:delText, w:ins) and ODT (text:tracked-changes).
# scan.pdf: page 1 of a corpus form printed by LibreOffice, rasterised as a scanner would
#   (pdftoppm, 150 dpi, grey JPEG), then OCRed by tesseract into a PDF of the image with the
#   recognised text drawn invisible (3 Tr) over it, as scanners' OCR software does.
set -eu
cd "$(dirname "$0")"
profile=$(mktemp -d)
tmp=$(mktemp -d)
trap 'rm -rf "$profile" "$tmp"' EXIT
soffice -env:UserInstallation="file://$profile" --headless --convert-to docx:"MS Word 2007 XML" --outdir . tracked.fodt >/dev/null
soffice -env:UserInstallation="file://$profile" --headless --convert-to odt --outdir . tracked.fodt >/dev/null
pdftoppm -r 150 -gray -f 1 -l 1 -jpeg -jpegopt quality=35 ../../../testdata/forms/corpus/libreoffice/lo_ig_table_padova.pdf "$tmp/page"
tesseract "$tmp"/page-1.jpg scan -l ita pdf >/dev/null 2>&1
ls -l tracked.docx tracked.odt scan.pdf
