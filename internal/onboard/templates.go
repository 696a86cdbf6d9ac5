package onboard

import (
	"bytes"
	"encoding/csv"

	"github.com/xuri/excelize/v2"
)

// Template builds a template to download: name is org or users, format csv or xlsx. The header
// row reads "中文 code" per column, then example rows (an invented district, 350599) to overwrite.
func Template(name string, format Format) ([]byte, bool, error) {
	var columns []column
	var example [][]string
	var sheet string
	switch name {
	case "org":
		columns, example, sheet = orgColumns, orgExample, OrgSheet
	case "users":
		columns, example, sheet = usersColumns, usersExample, UsersSheet
	default:
		return nil, false, nil
	}
	header := make([]string, len(columns))
	for i, c := range columns {
		header[i] = c.header()
	}
	var buf bytes.Buffer
	switch format {
	case CSV:
		buf.WriteString(byteOrderMark)
		w := csv.NewWriter(&buf)
		w.Write(header)
		w.WriteAll(example)
		return buf.Bytes(), true, w.Error()
	case XLSX:
		f := excelize.NewFile()
		defer f.Close()
		if err := f.SetSheetName("Sheet1", sheet); err != nil {
			return nil, true, err
		}
		for i, rec := range append([][]string{header}, example...) {
			cells := make([]any, len(rec))
			for j, v := range rec {
				cells[j] = v
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow(sheet, cell, &cells); err != nil {
				return nil, true, err
			}
		}
		// Codes are text: a spreadsheet must not turn 350599001001 into 3.50599E+11.
		style, err := f.NewStyle(&excelize.Style{NumFmt: 49})
		if err == nil {
			err = f.SetColStyle(sheet, "A:F", style)
		}
		if err == nil {
			err = f.SetColWidth(sheet, "A", "F", 20)
		}
		if err != nil {
			return nil, true, err
		}
		if err := f.Write(&buf); err != nil {
			return nil, true, err
		}
		return buf.Bytes(), true, nil
	}
	return nil, false, nil
}
