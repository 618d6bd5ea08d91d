#!/bin/sh
# Remakes testdata/forms/holdout, the held-out set (see internal/corpus/holdout.go): corpusgen
# -holdout writes the mail files, manifest.json and HTML sources; LibreOffice (headless)
# converts the sources, then prints its own DOCX to PDF. Needs soffice. Never tune a reader on
# these documents.
#
#   internal/corpus/regen_holdout.sh
set -eu
cd "$(dirname "$0")/../.."
out=testdata/forms/holdout
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
rm -rf "$out"
go run ./internal/corpus/cmd/corpusgen -holdout -out "$out" -src "$src"
mkdir -p "$out/libreoffice" "$src/pdf"
conv() { # list input-filter output-filter [outdir]
	[ -f "$src/$1.list" ] || return 0
	# shellcheck disable=SC2046 # one file name per line, no spaces
	soffice -env:UserInstallation="file://$src/profile" --headless ${2:+--infilter="$2"} \
		--convert-to "$3" --outdir "${4:-$out/libreoffice}" $(cat "$src/$1.list") >/dev/null
}
conv writer-docx "HTML (StarWriter)" "docx:MS Word 2007 XML"
conv writer-odt "HTML (StarWriter)" "odt:writer8"
conv writer-pdf "HTML (StarWriter)" "pdf:writer_pdf_Export"
conv calc-xlsx "HTML (StarCalc)" "xlsx:Calc MS Excel 2007 XML"
conv docx-pdf "" "pdf:writer_pdf_Export" "$src/pdf"
for f in "$src"/pdf/*.pdf; do
	[ -f "$f" ] || continue
	b=$(basename "$f" .pdf)
	mv "$f" "$out/libreoffice/${b}_docx.pdf"
done
ls "$out"/*/* | wc -l
