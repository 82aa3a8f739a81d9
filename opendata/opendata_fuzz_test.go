package opendata_test

import (
	"bytes"
	"os"
	"testing"

	"passnum"
	"passnum/opendata"
)

// FuzzReadCSV: any file a stranger uploads is read without panicking, and
// is either refused as a whole with an invalid_file error or read into
// rows each accepted or rejected with its line; an accepted row is a
// record that validates and that the export writes back.
func FuzzReadCSV(f *testing.F) {
	example, err := os.ReadFile("../testdata/lieux-mediation-numerique-exemple-valide.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Add([]byte{})
	f.Add([]byte("id,pivot,nom\n1,2,3\n"))
	f.Add([]byte("\xef\xbb\xbfid;pivot\n"))
	f.Add(append([]byte(nil), example[:len(example)/2]...))
	f.Add(bytes.ReplaceAll(example, []byte(","), []byte(`,"`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := opendata.ReadCSV(data, nil)
		if err != nil {
			if passnum.ErrorCode(err) != passnum.EINVALIDFILE {
				t.Fatalf("refused with %v, want an invalid_file error", err)
			}
			return
		}
		var accepted []passnum.SiteRecord
		for _, r := range file.Rows {
			if r.Line < 2 {
				t.Fatalf("row at line %d", r.Line)
			}
			accepted = append(accepted, r.Record)
		}
		var out bytes.Buffer
		if err := opendata.WriteCSV(&out, accepted); err != nil {
			t.Fatalf("accepted rows do not write back: %v", err)
		}
		back, err := opendata.ReadCSV(out.Bytes(), nil)
		if err != nil {
			t.Fatalf("the export of accepted rows is refused: %v", err)
		}
		if len(back.Rows) != len(accepted) {
			t.Fatalf("%d rows accepted, %d accepted again after export", len(accepted), len(back.Rows))
		}
	})
}
