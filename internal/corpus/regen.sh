#!/bin/sh
# Remakes testdata/forms/corpus: corpusgen writes the Word XML and mail files, manifest.json and
# HTML sources; LibreOffice (headless) converts the sources to DOCX, ODT, PDF and XLSX. Needs
# soffice (Debian: libreoffice-writer-nogui libreoffice-calc-nogui). The committed files are
# what the tests read: CI has no LibreOffice, and LibreOffice stamps dates and ids, so its
# output differs on every run.
#
#   internal/corpus/regen.sh
set -eu
cd "$(dirname "$0")/../.."
out=testdata/forms/corpus
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
rm -rf "$out"
go run ./internal/corpus/cmd/corpusgen -out "$out" -src "$src"
mkdir -p "$out/libreoffice"
conv() { # list input-filter output-filter
	[ -f "$src/$1.list" ] || return 0
	# shellcheck disable=SC2046 # one file name per line, no spaces
	soffice -env:UserInstallation="file://$src/profile" --headless ${2:+--infilter="$2"} \
		--convert-to "$3" --outdir "$out/libreoffice" $(cat "$src/$1.list") >/dev/null
}
conv writer-docx "HTML (StarWriter)" "docx:MS Word 2007 XML"
conv writer-odt "HTML (StarWriter)" "odt:writer8"
conv writer-pdf "HTML (StarWriter)" "pdf:writer_pdf_Export"
conv calc-xlsx "HTML (StarCalc)" "xlsx:Calc MS Excel 2007 XML"
conv word-pdf "" "pdf:writer_pdf_Export"
ls "$out"/*/* | wc -l
