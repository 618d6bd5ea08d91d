#!/bin/sh
# Remakes the printed PDFs of parsers/pdf_layout_test.go from their HTML sources, as a word
# processor prints a table: LibreOffice (Debian: libreoffice-writer-nogui), headless. The
# committed PDFs are what the tests read (CI has no LibreOffice; its output carries dates).
#
#   parsers/testdata/pdf/make.sh
set -eu
cd "$(dirname "$0")"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
soffice -env:UserInstallation="file://$profile" --headless --infilter="HTML (StarWriter)" \
	--convert-to "pdf:writer_pdf_Export" --outdir . ./*.html >/dev/null
ls -l ./*.pdf
