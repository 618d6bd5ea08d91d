#!/bin/sh
# Remakes held-out batch 4 into testdata/forms/holdout4 (needs node/npm and LibreOffice).
# LibreOffice's and the npm packages' output is not byte-stable: commit only new files.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../../testdata/forms/holdout4/docs"
mkdir -p "$out"
cd "$here"
[ -d node_modules ] || npm ci --no-audit --no-fund
node gen.js "$out"
prof=$(mktemp -d)
soffice -env:UserInstallation=file://$prof --headless --convert-to odt:writer8 --outdir "$out" mogliano_ig.html >/dev/null
mv "$out/mogliano_ig.odt" "$out/h4_ig_html_soffice_columns_mogliano.odt"
soffice -env:UserInstallation=file://$prof --headless --convert-to 'docx:MS Word 2007 XML' --outdir "$out" mogliano_qep.html >/dev/null
mv "$out/mogliano_qep.docx" "$out/h4_qep_html_soffice_labelabove_mogliano.docx"
rm -rf "$prof"
# The hand-written mails are written directly in testdata/forms/holdout4/mail: nothing makes them.
