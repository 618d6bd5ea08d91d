package parsers

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// XLSX: every sheet is read as a table (two columns: label, value). The sheet name is a line of
// text before its rows, so a sheet called "Informativa generale" names its form. The zip is
// drained against the budget first, since excelize unzips all of it on open.

// xlsxMaxRows bounds the rows read from one sheet: a form has tens.
const xlsxMaxRows = 2000

func xlsxRead(name string, data []byte, lim Limits) ([]frItem, error) {
	z, err := frOpenZip(name, data, lim)
	if err != nil {
		return nil, err
	}
	if err := z.drain(); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    lim.MaxDecompressedBytes,
		UnzipXMLSizeLimit: lim.MaxDecompressedBytes,
	})
	if err != nil {
		if err == excelize.ErrWorkbookPassword {
			return nil, docErr(name, ErrUnreadable, reasonEncrypted, err)
		}
		return nil, docErr(name, ErrUnreadable, reasonDamaged, fmt.Errorf("open xlsx: %w", err))
	}
	defer f.Close()
	var items []frItem
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			return nil, docErr(name, ErrUnreadable, reasonDamaged, fmt.Errorf("sheet %q: %w", sheet, err))
		}
		if len(rows) > xlsxMaxRows {
			rows = rows[:xlsxMaxRows]
		}
		items = append(items, frItem{label: sheet})
		items = append(items, frTable(rows)...)
	}
	return items, nil
}
