// Held-out batch 4: documents made by producers the project does not use for its own forms
// (npm docx, pdfkit, pdf-lib, exceljs; HTML converted by LibreOffice in make.sh). Run make.sh,
// not this file alone. The values are written in truth.json by hand, before mailbot read them.
'use strict';
const fs = require('fs');
const path = require('path');
const out = process.argv[2];
fs.mkdirSync(out, { recursive: true });

const docx = require('docx');
const { Document, Packer, Paragraph, TextRun, Table, TableRow, TableCell, WidthType, HeadingLevel, AlignmentType } = docx;

function cell(text, opts = {}) {
  const lines = String(text).split('\n');
  return new TableCell({
    columnSpan: opts.span || 1,
    width: opts.width ? { size: opts.width, type: WidthType.PERCENTAGE } : undefined,
    shading: opts.shade ? { fill: 'D9E2F3' } : undefined,
    children: lines.map((l) => new Paragraph({ children: [new TextRun({ text: l, bold: !!opts.bold })] })),
  });
}
function row(...cells) { return new TableRow({ children: cells }); }
function section(title, span) { return row(cell(title, { span, bold: true, shade: true })); }
function para(text, opts = {}) { return new Paragraph({ children: [new TextRun({ text, bold: !!opts.bold })], heading: opts.heading }); }

// 1. Bassano: a section row merged over the table; "Nome e cognome" in one cell spanning two
// columns; both services ticked with ☒; an IBAN in groups of four.
async function bassano() {
  const t = new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      section("SEZIONE A – ENTE RICHIEDENTE", 3),
      row(cell('Denominazione Ente'), cell('Comune di Bassano del Grappa', { span: 2 })),
      row(cell('Codice Fiscale'), cell('00168480242', { span: 2 })),
      row(cell('Codice IPA'), cell('c_a703', { span: 2 })),
      row(cell('Tipologia'), cell('Comune', { span: 2 })),
      row(cell('Sede (indirizzo)'), cell('Via Matteotti 39, 36061 Bassano del Grappa (VI)', { span: 2 })),
      row(cell('Domicilio digitale (PEC)'), cell('protocollo.comune.bassanodelgrappa.vi@pecveneto.it', { span: 2 })),
      section('SEZIONE B – REFERENTE PER I PAGAMENTI', 3),
      row(cell('Nome e cognome'), cell('Giulia Zanon', { span: 2 })),
      row(cell('Codice fiscale'), cell('ZNNGLI85C52A703H', { span: 2 })),
      row(cell('Indirizzo e-mail'), cell('giulia.zanon@comune.bassano.vi.it', { span: 2 })),
      row(cell('Recapito telefonico'), cell('0424 519111', { span: 2 })),
      section('SEZIONE C – SERVIZI E MODALITÀ', 3),
      row(cell('Servizi richiesti'), cell('☒ MyPay     ☒ MyPivot', { span: 2 })),
      row(cell('Modalità di attivazione'), cell("☐ Pagamenti spontanei\n☒ Caricamento flussi\n☒ Web services dal gestionale dell'ente", { span: 2 })),
      section('SEZIONE D – TIPI DI DOVUTO', 3),
      row(cell('Codice', { bold: true }), cell('Descrizione', { bold: true }), cell('IBAN di accredito', { bold: true })),
      row(cell('TARI'), cell('Tassa rifiuti'), cell('IT25 O030 6962 8800 0000 1234 567')),
      section('SEZIONE E – FORNITORE DEL GESTIONALE', 3),
      row(cell('Software house'), cell('Brenta Sistemi S.r.l.', { span: 2 })),
      row(cell('E-mail referente tecnico'), cell('supporto@brentasistemi.it', { span: 2 })),
      section('SEZIONE F – PREREQUISITI', 3),
      row(cell('Adesione a PagoPA con la Regione del Veneto come intermediario tecnologico'), cell('X  sì      □  no', { span: 2 })),
      row(cell('Lettera di adesione inviata in data'), cell('14/09/2026', { span: 2 })),
      row(cell('Prodotti MyPay e MyPivot richiesti in MyExtranet'), cell('sì', { span: 2 })),
    ],
  });
  const d = new Document({
    creator: 'Ufficio Ragioneria', title: 'Scheda ente',
    sections: [{ children: [
      para('Città di Bassano del Grappa – Servizio Ragioneria'),
      para("INFORMATIVA GENERALE DELL'ENTE", { heading: HeadingLevel.HEADING_1 }),
      para('Richiesta di attivazione dei servizi MyPay / MyPivot tramite Regione del Veneto'),
      t,
      para(''),
      para('Bassano del Grappa, 3 dicembre 2026'),
    ] }],
  });
  fs.writeFileSync(path.join(out, 'h4_ig_docxjs_sections_bassano.docx'), await Packer.toBuffer(d));
}

// 2. Chioggia: the referent and a substitute side by side in two columns; services "[x]" one per
// line; the ente's data as "Label:<tab>value" paragraphs; a codice fiscale written in groups.
async function chioggia() {
  const people = new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      row(cell(''), cell('Referente dei pagamenti', { bold: true }), cell('Sostituto', { bold: true })),
      row(cell('Nome'), cell('Marco'), cell('Anna')),
      row(cell('Cognome'), cell('Boscolo'), cell('Tiozzo')),
      row(cell('Codice fiscale'), cell('BSCMRC78H12C638C'), cell('TZINNA82D45C638T')),
      row(cell('E-mail'), cell('m.boscolo@chioggia.org'), cell('a.tiozzo@chioggia.org')),
      row(cell('Telefono'), cell('041 5534811'), cell('041 5534812')),
    ],
  });
  const dovuti = new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      row(cell('Codice', { bold: true }), cell('Descrizione', { bold: true }), cell('IBAN di accredito', { bold: true })),
      row(cell('MENSA'), cell('Refezione scolastica'), cell('IT54A0890462010000000080442')),
    ],
  });
  const d = new Document({
    creator: 'Servizi Finanziari',
    sections: [{ children: [
      para('COMUNE DI CHIOGGIA', { bold: true }),
      para('Informativa Generale – adesione ai servizi MyPay e MyPivot', { heading: HeadingLevel.HEADING_2 }),
      para('1. Ente', { bold: true }),
      para('Denominazione:\tComune di Chioggia'),
      para('Codice fiscale:\t006 210 502 77'),
      para('Codice IPA:\tc_c638'),
      para('Indirizzo:\tCorso del Popolo 1193, 30015 Chioggia (VE)'),
      para('PEC:\tchioggia@pec.chioggia.org'),
      para('2. Referenti', { bold: true }),
      people,
      para('3. Servizi richiesti', { bold: true }),
      para('[x] MyPay'),
      para('[ ] MyPivot'),
      para('4. Modalità di attivazione', { bold: true }),
      para('[x] pagamenti spontanei'),
      para('[ ] caricamento flussi'),
      para("[ ] web services dal gestionale dell'ente"),
      para('5. Tipi di dovuto', { bold: true }),
      dovuti,
      para('6. Prerequisiti', { bold: true }),
      para('Adesione PagoPA con Regione del Veneto intermediario: SI'),
      para('Lettera di adesione inviata il: 21/10/2026'),
      para('Prodotti richiesti in MyExtranet: SI'),
    ] }],
  });
  fs.writeFileSync(path.join(out, 'h4_ig_docxjs_two_referents_chioggia.docx'), await Packer.toBuffer(d));
}

// 3. Schio: a Qualificazione Ente-Prodotto printed by pdfkit: three fields on the ente's line,
// dot leaders, a partita IVA in groups, "[X]" boxes, two production IPs joined by " - ".
function schio() {
  return new Promise((resolve) => {
    const PDFDocument = require('pdfkit');
    const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Producer: 'PDFKit', Title: 'Qualificazione' } });
    const s = fs.createWriteStream(path.join(out, 'h4_qep_pdfkit_printed_schio.pdf'));
    doc.pipe(s);
    doc.font('Helvetica-Bold').fontSize(14).text('QUALIFICAZIONE ENTE-PRODOTTO', { align: 'center' });
    doc.moveDown();
    doc.font('Helvetica').fontSize(10);
    const line = (t) => doc.text(t).moveDown(0.4);
    line('Ente: Comune di Schio        C.F. 00402570246        Cod. IPA: c_i531');
    doc.moveDown(0.5);
    doc.font('Helvetica-Bold').text('Prodotto').font('Helvetica').moveDown(0.3);
    line('Nome del prodotto ........................................ J-Tributi');
    line('Versione ...................................................... 5.3');
    doc.moveDown(0.5);
    doc.font('Helvetica-Bold').text('Azienda fornitrice').font('Helvetica').moveDown(0.3);
    line('Ragione sociale ............................................ Alto Vicentino Software S.r.l.');
    line('Partita IVA ..................................................... 038 1245 0249');
    line('PEC ................................................................ altovicentinosoftware@legalmail.it');
    line('E-mail del referente tecnico ............................ sviluppo@altovicentinosw.it');
    doc.moveDown(0.5);
    doc.font('Helvetica-Bold').text('Integrazione').font('Helvetica').moveDown(0.3);
    line('Integrazioni:      [X] MyPay          [  ] MyPivot');
    line('Web services utilizzati: paaSILInviaDovuti, paaSILChiediPosizioniAperte');
    line('URL di callback: https://tributi.comune.schio.vi.it/mypay/esito');
    line('IP chiamanti in collaudo: 93.57.240.11');
    line('IP in esercizio: 93.57.240.12 - 93.57.240.13');
    doc.moveDown(2);
    line('Schio, 1 dicembre 2026                                        Il legale rappresentante');
    doc.end();
    s.on('finish', resolve);
  });
}

const { PDFDocument: LibDoc, StandardFonts, rgb, TextRenderingMode, beginText, endText, setFontAndSize, setTextRenderingMode, moveText, showText } = require('pdf-lib');

// 4. Jesolo: an AcroForm made in an editor, fields named by their maker ("CF", "Tel", "Casella1"),
// printed labels beside them; MyPay ticked, MyPivot not.
async function jesolo() {
  const pdf = await LibDoc.create();
  pdf.setTitle('Modulo informativa');
  pdf.setProducer('pdf-lib');
  const page = pdf.addPage([595, 842]);
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const form = pdf.getForm();
  let y = 790;
  page.drawText('INFORMATIVA GENERALE DELL\'ENTE', { x: 56, y, size: 14, font: bold });
  y -= 30;
  const text = (label, name, value) => {
    page.drawText(label, { x: 56, y: y + 4, size: 9, font });
    const f = form.createTextField(name);
    f.setText(value);
    f.addToPage(page, { x: 250, y, width: 290, height: 16, font });
    y -= 24;
  };
  const check = (label, name, on) => {
    const c = form.createCheckBox(name);
    c.addToPage(page, { x: 250, y, width: 12, height: 12 });
    if (on) c.check();
    page.drawText(label, { x: 268, y: y + 2, size: 9, font });
    y -= 20;
  };
  const head = (t) => { page.drawText(t, { x: 56, y, size: 10, font: bold }); y -= 20; };
  head('Ente');
  text('Denominazione', 'Testo1', 'Comune di Jesolo');
  text('Codice fiscale', 'CF', '00608720272');
  text('Codice IPA', 'IPA', 'c_c388');
  text('Indirizzo', 'Testo4', 'Via S. Antonio 11, 30016 Jesolo (VE)');
  text('PEC', 'Testo5', 'comune.jesolo@legalmail.it');
  head('Referente dei pagamenti');
  text('Nome', 'Testo6', 'Sara');
  text('Cognome', 'Testo7', 'Furlan');
  text('Codice fiscale', 'CF2', 'FRLSRA90A41C388S');
  text('E-mail', 'Testo9', 'sara.furlan@comune.jesolo.ve.it');
  text('Telefono', 'Tel', '0421 359111');
  head('Servizi richiesti');
  page.drawText('Servizi', { x: 56, y: y + 2, size: 9, font });
  check('MyPay', 'Casella1', true);
  check('MyPivot', 'Casella2', false);
  head('Tipi di dovuto');
  text('Codice tipo dovuto', 'Testo12', 'PARCHEGGI');
  text('Descrizione', 'Testo13', 'Sosta a pagamento');
  text('IBAN di accredito', 'Testo14', 'IT91O0708461620000000015020');
  head('Prerequisiti');
  text('Adesione PagoPA (Regione intermediario)', 'Testo15', 'Sì');
  text('Lettera di adesione inviata il', 'Testo16', '05/11/2026');
  text('Prodotti richiesti in MyExtranet', 'Testo17', 'Sì');
  fs.writeFileSync(path.join(out, 'h4_ig_pdflib_acroform_jesolo.pdf'), await pdf.save());
}

// 5. Asolo: a "scan": shapes where a scanned page's ink would be, and the OCR engine's invisible
// text layer (render mode 3) with its slips (letter O for zero in the codice fiscale and IBAN).
async function asolo() {
  const pdf = await LibDoc.create();
  pdf.setProducer('OCRmyPDF 14.0 / pdf-lib');
  const page = pdf.addPage([595, 842]);
  page.drawRectangle({ x: 0, y: 0, width: 595, height: 842, color: rgb(0.96, 0.95, 0.93) });
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const key = page.node.newFontDictionary(font.name, font.ref);
  const lines = [
    "INFORMATIVA GENERALE DELL'ENTE",
    'Denominazione: Comune di Asolo',
    'Codice fiscale: 0O564210268',
    'Codice IPA: c_a471',
    'Indirizzo: Piazza G. D\'Annunzio 1, 31011 Asolo (TV)',
    'PEC: comune.asolo.tv@pecveneto.it',
    'Referente dei pagamenti',
    'Nome: Paolo',
    'Cognome: Dal Zotto',
    'Codice fiscale: DLZPLA79L08I531D',
    'Email: tributi@comune.asolo.tv.it',
    'Telefono: 0423 524611',
    'Servizi richiesti: X MyPay X MyPivot',
    'Tipi di dovuto',
    'Codice: ILLUMVOT  Descrizione: Lampade votive',
    'IBAN: IT02A05034117OO000000002718',
  ];
  let y = 780;
  for (const l of lines) {
    // The ink: a grey bar per line, as a scanned image would show it.
    page.drawRectangle({ x: 60, y: y - 2, width: Math.min(470, l.length * 6), height: 9, color: rgb(0.35, 0.35, 0.35), opacity: 0.8 });
    page.pushOperators(beginText(), setFontAndSize(key, 10), setTextRenderingMode(TextRenderingMode.Invisible), moveText(60, y), showText(font.encodeText(l)), endText());
    y -= 26;
  }
  fs.writeFileSync(path.join(out, 'h4_ig_pdflib_scan_ocr_asolo.pdf'), await pdf.save());
}

// 6. Castelfranco: exceljs, labels in merged A:B, values in C, but the PEC typed one cell to the
// right; services as "sì"/"no" rows; modalità with "X" beside the option; a spaced codice fiscale.
async function castelfranco() {
  const ExcelJS = require('exceljs');
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Ufficio Tributi';
  const ws = wb.addWorksheet('Scheda ente');
  let r = 1;
  const put = (a, c, d) => {
    ws.mergeCells(`A${r}:B${r}`);
    ws.getCell(`A${r}`).value = a;
    if (c !== undefined) ws.getCell(`C${r}`).value = c;
    if (d !== undefined) ws.getCell(`D${r}`).value = d;
    r++;
  };
  ws.mergeCells('A1:D1');
  ws.getCell('A1').value = "INFORMATIVA GENERALE DELL'ENTE – Comune di Castelfranco Veneto";
  ws.getCell('A1').font = { bold: true };
  r = 3;
  put('DATI ENTE');
  put('Denominazione', 'Comune di Castelfranco Veneto');
  put('Codice fiscale', '004 767 702 68');
  put('Codice IPA', 'c_c111');
  put('Tipologia ente', 'Comune');
  put('Indirizzo', 'Via Francesco Maria Preti 36, 31033 Castelfranco Veneto (TV)');
  put('PEC', undefined, 'protocollo.comune.castelfrancoveneto.tv@pecveneto.it');
  r++;
  put('REFERENTE DEI PAGAMENTI');
  put('Nome', 'Valeria');
  put('Cognome', 'Carraro');
  put('Codice fiscale', 'CRRVLR86M47C111J');
  put('Email', 'valeria.carraro@comune.castelfranco-veneto.tv.it');
  put('Telefono', '0423 735511');
  r++;
  put('SERVIZI RICHIESTI');
  put('MyPay', 'sì');
  put('MyPivot', 'sì');
  r++;
  put('MODALITÀ DI ATTIVAZIONE');
  put('pagamenti spontanei', 'X');
  put('caricamento flussi', '');
  put("web services dal gestionale dell'ente", 'X');
  r++;
  put('TIPI DI DOVUTO');
  ws.getCell(`A${r}`).value = 'Codice'; ws.getCell(`B${r}`).value = 'Descrizione'; ws.getCell(`C${r}`).value = 'IBAN di accredito'; r++;
  ws.getCell(`A${r}`).value = 'CIMIT'; ws.getCell(`B${r}`).value = 'Concessioni cimiteriali'; ws.getCell(`C${r}`).value = 'IT08D0623062010000057123456'; r++;
  r++;
  put('SOFTWARE HOUSE');
  put('Ragione sociale', 'Brenta Sistemi S.r.l.');
  put('Email referente tecnico', 'supporto@brentasistemi.it');
  r++;
  put('PREREQUISITI');
  put('Adesione PagoPA con la Regione come intermediario', 'sì');
  put('Lettera di adesione inviata il', '30/09/2026');
  put('Prodotti richiesti in MyExtranet', 'sì');
  ws.getColumn(1).width = 30; ws.getColumn(3).width = 50; ws.getColumn(4).width = 50;
  await wb.xlsx.writeFile(path.join(out, 'h4_ig_exceljs_merged_castelfranco.xlsx'));
}

(async () => {
  await bassano();
  await chioggia();
  await schio();
  await jesolo();
  await asolo();
  await castelfranco();
})().catch((e) => { console.error(e); process.exit(1); });
