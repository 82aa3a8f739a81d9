package sheet

import (
	"io"
	"time"

	"github.com/xuri/excelize/v2"
)

// XLSX writes a one-sheet workbook row by row. Rows go through excelize's
// stream writer, which keeps what does not fit in memory in a temporary
// file; the workbook is written out at Close. Text cells are typed as text
// in the file, so a spreadsheet never runs them as formulas; amounts are
// numbers in euros with a two-decimal format, days real dates.
type XLSX struct {
	out    io.Writer
	f      *excelize.File
	sw     *excelize.StreamWriter
	row    int
	euro   int
	day    int
	bold   int
	values []any
}

// NewXLSX starts a workbook whose only sheet is named sheetName (31
// characters at most, as spreadsheets require), with its header row in bold.
func NewXLSX(w io.Writer, sheetName string, header ...string) (*XLSX, error) {
	f := excelize.NewFile()
	if r := []rune(sheetName); len(r) > 31 {
		sheetName = string(r[:31])
	}
	if err := f.SetSheetName("Sheet1", sheetName); err != nil {
		f.Close()
		return nil, err
	}
	x := &XLSX{out: w, f: f}
	var err error
	euro := `#,##0.00\ "€";-#,##0.00\ "€"`
	if x.euro, err = f.NewStyle(&excelize.Style{CustomNumFmt: &euro}); err != nil {
		f.Close()
		return nil, err
	}
	if x.day, err = f.NewStyle(&excelize.Style{NumFmt: 14}); err != nil { // dd/mm/yyyy in a French spreadsheet
		f.Close()
		return nil, err
	}
	if x.bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		f.Close()
		return nil, err
	}
	if x.sw, err = f.NewStreamWriter(sheetName); err != nil {
		f.Close()
		return nil, err
	}
	if len(header) > 0 {
		if err := x.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			f.Close()
			return nil, err
		}
		if err := x.write(Texts(header...), x.bold); err != nil {
			f.Close()
			return nil, err
		}
	}
	return x, nil
}

// Write adds one row.
func (x *XLSX) Write(row ...Cell) error { return x.write(row, 0) }

func (x *XLSX) write(row []Cell, style int) error {
	x.values = x.values[:0]
	for _, c := range row {
		v := excelize.Cell{StyleID: style}
		switch c.kind {
		case kindInt:
			v.Value = c.n
		case kindCents:
			v.Value, v.StyleID = float64(c.n)/100, x.euro
		case kindDay:
			if !c.day.IsZero() {
				v.Value, v.StyleID = time.Date(c.day.Year, c.day.Month, c.day.Day, 0, 0, 0, 0, time.UTC), x.day
			}
		default:
			v.Value = c.text
		}
		x.values = append(x.values, v)
	}
	x.row++
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, x.values)
}

// Close writes the workbook out and frees its temporary files.
func (x *XLSX) Close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	return x.f.Write(x.out)
}

// XLSXContentType is the media type of a workbook.
const XLSXContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
