package formgen

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// renderXLSX writes the form as a sheet the way a referent would make one: the title in A1,
// then one row per field, label in A and value in B. Only fixtures use it; referents get
// PDF, DOCX and ODT.
func renderXLSX(d *formData) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Modulo" // titles may exceed Excel's 31 characters or hold an apostrophe
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, fmt.Errorf("sheet name: %w", err)
	}
	// Fixed properties: excelize would otherwise stamp the creation time.
	if err := f.SetDocProps(&excelize.DocProperties{
		Title:          d.Title,
		Creator:        "Regione del Veneto",
		LastModifiedBy: "Regione del Veneto",
		Created:        "2025-01-01T00:00:00Z",
		Modified:       "2025-01-01T00:00:00Z",
		Language:       "it-IT",
	}); err != nil {
		return nil, fmt.Errorf("doc props: %w", err)
	}
	if err := f.SetCellStr(sheet, "A1", d.Title); err != nil {
		return nil, fmt.Errorf("title: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return nil, fmt.Errorf("style: %w", err)
	}
	if err := f.SetCellStyle(sheet, "A1", "A1", bold); err != nil {
		return nil, fmt.Errorf("style: %w", err)
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return nil, fmt.Errorf("style: %w", err)
	}
	for i, r := range d.Rows {
		n := i + 2
		if err := f.SetCellStr(sheet, fmt.Sprintf("A%d", n), r.Label); err != nil {
			return nil, fmt.Errorf("label %s: %w", r.Key, err)
		}
		if len(r.Lines) > 0 {
			if err := f.SetCellStr(sheet, fmt.Sprintf("B%d", n), strings.Join(r.Lines, "\n")); err != nil {
				return nil, fmt.Errorf("value %s: %w", r.Key, err)
			}
		}
	}
	last := fmt.Sprintf("B%d", len(d.Rows)+1)
	if err := f.SetCellStyle(sheet, "A2", last, wrap); err != nil {
		return nil, fmt.Errorf("style: %w", err)
	}
	if err := f.SetColWidth(sheet, "A", "A", 45); err != nil {
		return nil, fmt.Errorf("width: %w", err)
	}
	if err := f.SetColWidth(sheet, "B", "B", 60); err != nil {
		return nil, fmt.Errorf("width: %w", err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("write xlsx: %w", err)
	}
	return restoreZip(buf.Bytes())
}
