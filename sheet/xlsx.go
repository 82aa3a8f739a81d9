package sheet

import (
	"archive/zip"
	"io"
	"time"

	"github.com/xuri/excelize/v2"
)

// XLSX writes a one-sheet workbook row by row. Rows go through excelize's
// stream writer, which keeps what does not fit in memory in a temporary
// file; the workbook is zipped straight to the writer at Close, never
// whole in memory (excelize would otherwise build the zip in a buffer, 130
// MiB for a million rows). Text cells are typed as text
// in the file, so a spreadsheet never runs them as formulas; amounts are
// numbers in euros with a two-decimal format, days real dates.
type XLSX struct {
	out    io.Writer
	f      *excelize.File
	sw     *excelize.StreamWriter
	row    int
	euro   int
	day    int
	pct    int
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
	// excelize zips into a buffer it then copies to w: give it a zip
	// writer on w itself, so the buffer stays empty. (The buffer is also
	// where excelize would mark a part above 4 GiB as zip64 for Excel's
	// sake; a sheet of 1,048,576 rows of our tables stays far below.)
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w) })
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
	if x.pct, err = f.NewStyle(&excelize.Style{NumFmt: 10}); err != nil { // 0.00 %
		f.Close()
		return nil, err
	}
	if x.bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		f.Close()
		return nil, err
	}
	if err := x.startSheet(sheetName, header); err != nil {
		f.Close()
		return nil, err
	}
	return x, nil
}

// NewSheet ends the current sheet and starts the next one, named sheetName
// (31 characters at most), with its header row in bold. Rows written
// after go to it.
func (x *XLSX) NewSheet(sheetName string, header ...string) error {
	if err := x.sw.Flush(); err != nil {
		return err
	}
	if r := []rune(sheetName); len(r) > 31 {
		sheetName = string(r[:31])
	}
	if _, err := x.f.NewSheet(sheetName); err != nil {
		return err
	}
	return x.startSheet(sheetName, header)
}

func (x *XLSX) startSheet(sheetName string, header []string) error {
	var err error
	if x.sw, err = x.f.NewStreamWriter(sheetName); err != nil {
		return err
	}
	x.row = 0
	if len(header) == 0 {
		return nil
	}
	if err := x.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return x.write(Texts(header...), x.bold)
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
		case kindShare:
			v.Value, v.StyleID = c.share, x.pct
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

// Abort gives the workbook up: nothing is written to the writer, and its
// temporary files are freed.
func (x *XLSX) Abort() error { return x.f.Close() }

// XLSXContentType is the media type of a workbook.
const XLSXContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
