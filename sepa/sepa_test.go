package sepa

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"passnum"
)

// testIBAN builds an IBAN of country from a BBAN by computing its key
// (ISO 7064 mod 97-10), whether or not SEPA reaches it.
func testIBAN(t testing.TB, country, bban string) string {
	t.Helper()
	r := 0
	for _, c := range bban + country + "00" {
		if c >= 'A' && c <= 'Z' {
			r = (r*100 + int(c-'A') + 10) % 97
		} else {
			r = (r*10 + int(c-'0')) % 97
		}
	}
	return fmt.Sprintf("%s%02d%s", country, 98-r, bban)
}

// frIBAN is a valid French IBAN numbered n.
func frIBAN(t testing.TB, n int) string {
	return testIBAN(t, "FR", fmt.Sprintf("3000600001%011d00", n))
}

var created = time.Date(2026, 12, 1, 9, 30, 0, 0, passnum.Paris)

func header(t testing.TB, count, total int64) Header {
	return Header{
		Reference:     "PN-20261130-0007",
		CreatedAt:     created,
		ExecutionDate: passnum.MustDate("2026-12-03"),
		Debtor: Account{
			Name: "Région Bourgogne-Franche-Comté – Direction du numérique",
			IBAN: testIBAN(t, "FR", "10071210000000100123456"),
			BIC:  "TRPUFRP1",
		},
		Count:      count,
		TotalCents: total,
	}
}

// trickyNames are account holders a treasurer's bank must still take.
var trickyNames = []string{
	"Association « Les Pieds dans l'Œuf » & Cie",
	"Médiathèque de l'Île — Espace numérique “Rêves” 🎉🚀",
	"Straße Ærø Łódź Ñandú Ça Ğ İ",
	"<script>alert('x')</script> & \"quotes\" ;-)",
	strings.Repeat("Fédération régionale des espaces publics numériques ", 4), // 200+ characters
	"Tab\tnew\nline  and   spaces\u00a0insécables\u202fétroites",
	"ﬁligrane ½ №5 Ｆｕｌｌｗｉｄｔｈ",
	"x\xffinvalid UTF-8\xc3",
}

// writeFile writes a file of n transfers to places with tricky names and
// returns it with the sum of its amounts.
func writeFile(t testing.TB, n int) ([]byte, int64) {
	t.Helper()
	amounts := make([]int64, n)
	var total int64
	for i := range amounts {
		amounts[i] = int64(1000*(i%7+1) + i%100) // 10,00 € to 70,99 €
		total += amounts[i]
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, header(t, int64(n), total))
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range amounts {
		tx := Transaction{
			PlaceID:     passnum.NewID(created.Add(time.Duration(i) * time.Millisecond)),
			Creditor:    Account{Name: trickyNames[i%len(trickyNames)], IBAN: frIBAN(t, i), BIC: "CEPAFRPP213"},
			AmountCents: a,
			Remittance:  fmt.Sprintf("%d pass encaissés chez « %s »", i%40+1, trickyNames[i%len(trickyNames)]),
		}
		if err := w.Add(tx); err != nil {
			t.Fatalf("transfer %d: %v", i, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), total
}

// validate checks data against the official schema with xmllint.
func validate(t *testing.T, data []byte) {
	t.Helper()
	if out, err := xmllint(t, data); err != nil {
		t.Fatalf("the file does not validate against pain.001.001.03.xsd: %v\n%s", err, out)
	}
}

// xmllint runs xmllint on data with the schema; it skips the test when
// xmllint is missing, unless in CI where it fails.
func xmllint(t *testing.T, data []byte) ([]byte, error) {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("xmllint is missing (Debian package libxml2-utils): the SEPA file cannot be checked against its schema")
		}
		t.Skip("xmllint is missing (Debian package libxml2-utils)")
	}
	file := filepath.Join(t.TempDir(), "pain.xml")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return exec.Command("xmllint", "--noout", "--schema", "../testdata/pain.001.001.03.xsd", file).CombinedOutput()
}

// document is what the tests read back of a file.
type document struct {
	GrpHdr struct {
		MsgId    string
		CreDtTm  string
		NbOfTxs  string
		CtrlSum  string
		InitgPty struct{ Nm string }
	} `xml:"CstmrCdtTrfInitn>GrpHdr"`
	PmtInf []struct {
		PmtInfId    string
		BtchBookg   string
		NbOfTxs     string
		CtrlSum     string
		ReqdExctnDt string
		SvcLvl      string `xml:"PmtTpInf>SvcLvl>Cd"`
		Dbtr        string `xml:"Dbtr>Nm"`
		DbtrIBAN    string `xml:"DbtrAcct>Id>IBAN"`
		DbtrBIC     string `xml:"DbtrAgt>FinInstnId>BIC"`
		ChrgBr      string
		Tx          []struct {
			EndToEndId string `xml:"PmtId>EndToEndId"`
			Amt        struct {
				Ccy   string `xml:",attr"`
				Value string `xml:",chardata"`
			} `xml:"Amt>InstdAmt"`
			BIC   string `xml:"CdtrAgt>FinInstnId>BIC"`
			Nm    string `xml:"Cdtr>Nm"`
			IBAN  string `xml:"CdtrAcct>Id>IBAN"`
			Ustrd string `xml:"RmtInf>Ustrd"`
		} `xml:"CdtTrfTxInf"`
	} `xml:"CstmrCdtTrfInitn>PmtInf"`
}

func parse(t *testing.T, data []byte) document {
	t.Helper()
	var d document
	if err := xml.Unmarshal(data, &d); err != nil {
		t.Fatalf("the file is not well-formed XML: %v", err)
	}
	return d
}

// cents reads an amount written with a point and two decimals.
func cents(t *testing.T, s string) int64 {
	t.Helper()
	euros, dec, ok := strings.Cut(s, ".")
	if !ok || len(dec) != 2 {
		t.Fatalf("amount %q is not written with two decimals", s)
	}
	e, err1 := strconv.ParseInt(euros, 10, 64)
	c, err2 := strconv.ParseInt(dec, 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("amount %q: %v %v", s, err1, err2)
	}
	return e*100 + c
}

func inCharset(s string) bool {
	for _, c := range s {
		if !allowed(c) {
			return false
		}
	}
	return true
}

func TestFileValidatesAgainstSchema(t *testing.T) {
	data, _ := writeFile(t, 40)
	validate(t, data)
}

// The check itself can fail: a file the schema forbids is refused.
func TestSchemaRefusesABrokenFile(t *testing.T) {
	data, _ := writeFile(t, 3)
	for _, broken := range [][2]string{
		{"<NbOfTxs>3</NbOfTxs>", "<NbOfTxs>three</NbOfTxs>"},
		{"<BIC>CEPAFRPP213</BIC>", "<BIC>CEPAFR01</BIC>"},
		{"<ReqdExctnDt>2026-12-03</ReqdExctnDt>", ""},
	} {
		bad := bytes.Replace(data, []byte(broken[0]), []byte(broken[1]), 1)
		if bytes.Equal(bad, data) {
			t.Fatalf("%s is not in the file", broken[0])
		}
		if _, err := xmllint(t, bad); err == nil {
			t.Errorf("xmllint accepts a file where %s became %q", broken[0], broken[1])
		}
	}
}

func TestFileContents(t *testing.T) {
	const n = 40
	data, total := writeFile(t, n)
	d := parse(t, data)
	if len(d.PmtInf) != 1 {
		t.Fatalf("got %d payment information blocks, want 1", len(d.PmtInf))
	}
	p := d.PmtInf[0]
	if d.GrpHdr.NbOfTxs != strconv.Itoa(n) || p.NbOfTxs != strconv.Itoa(n) || len(p.Tx) != n {
		t.Fatalf("counts: header %s, payment %s, transfers %d; want %d", d.GrpHdr.NbOfTxs, p.NbOfTxs, len(p.Tx), n)
	}
	var sum int64
	ends := map[string]bool{}
	for i, tx := range p.Tx {
		sum += cents(t, tx.Amt.Value)
		if tx.Amt.Ccy != "EUR" {
			t.Errorf("transfer %d in %q", i, tx.Amt.Ccy)
		}
		if len(tx.EndToEndId) > 35 || !strings.HasPrefix(tx.EndToEndId, "PN-20261130-0007-") || ends[tx.EndToEndId] || !inCharset(tx.EndToEndId) {
			t.Errorf("transfer %d: end-to-end id %q is too long, without the reference, repeated or outside the charset", i, tx.EndToEndId)
		}
		ends[tx.EndToEndId] = true
		if tx.Nm == "" || len(tx.Nm) > MaxNameLen || !inCharset(tx.Nm) {
			t.Errorf("transfer %d: creditor name %q", i, tx.Nm)
		}
		if !strings.HasPrefix(tx.Ustrd, "PN-20261130-0007 ") || len(tx.Ustrd) > MaxRemittanceLen || !inCharset(tx.Ustrd) {
			t.Errorf("transfer %d: remittance %q", i, tx.Ustrd)
		}
		if tx.IBAN != frIBAN(t, i) || tx.BIC != "CEPAFRPP213" {
			t.Errorf("transfer %d: account %s %s", i, tx.IBAN, tx.BIC)
		}
	}
	if sum != total {
		t.Fatalf("transfers sum to %d cents, want %d", sum, total)
	}
	if got := cents(t, d.GrpHdr.CtrlSum); got != sum {
		t.Errorf("group header control sum %d, transfers %d", got, sum)
	}
	if got := cents(t, p.CtrlSum); got != sum {
		t.Errorf("payment control sum %d, transfers %d", got, sum)
	}
	if d.GrpHdr.MsgId != "PN-20261130-0007" || p.PmtInfId != "PN-20261130-0007" {
		t.Errorf("ids %q %q", d.GrpHdr.MsgId, p.PmtInfId)
	}
	if d.GrpHdr.CreDtTm != "2026-12-01T09:30:00" || p.ReqdExctnDt != "2026-12-03" {
		t.Errorf("dates %q %q", d.GrpHdr.CreDtTm, p.ReqdExctnDt)
	}
	if p.SvcLvl != "SEPA" || p.ChrgBr != "SLEV" || p.BtchBookg != "true" {
		t.Errorf("service level %q, charges %q, batch booking %q", p.SvcLvl, p.ChrgBr, p.BtchBookg)
	}
	if p.Dbtr != "Region Bourgogne-Franche-Comte - Direction du numerique" || d.GrpHdr.InitgPty.Nm != p.Dbtr {
		t.Errorf("debtor %q, initiating party %q", p.Dbtr, d.GrpHdr.InitgPty.Nm)
	}
	if p.DbtrBIC != "TRPUFRP1" || !strings.HasPrefix(p.DbtrIBAN, "FR") {
		t.Errorf("debtor account %s %s", p.DbtrIBAN, p.DbtrBIC)
	}
	// The texts as the places' banks will print them.
	want := map[int]string{
		0: "Association 'Les Pieds dans l'OEuf' + Cie",
		1: "Mediatheque de l'Ile - Espace numerique 'Reves'",
		2: "Strasse AEro Lodz Nandu Ca G I",
		3: "(script)alert('x')(/script) + 'quotes' ,-)",
		5: "Tab new line and spaces insecables etroites",
		6: "filigrane 1/2 No5 Fullwidth",
		7: "xinvalid UTF-8",
	}
	for i, name := range want {
		if got := p.Tx[i].Nm; got != name {
			t.Errorf("name %d: got %q, want %q", i, got, name)
		}
	}
	if got := p.Tx[4].Nm; len(got) != MaxNameLen && len(got) != MaxNameLen-1 {
		t.Errorf("a long name is cut at %d characters: %q (%d)", MaxNameLen, got, len(got))
	}
	if got := p.Tx[0].Ustrd; got != "PN-20261130-0007 Pass numerique - remboursement des pass encaisses 1 pass encaisses chez 'Association 'Les Pieds dans l'OEuf' + Cie'" {
		t.Errorf("remittance %q", got)
	}
	if got := p.Tx[4].Ustrd; len(got) < MaxRemittanceLen-20 || !strings.HasPrefix(got, "PN-20261130-0007 ") {
		t.Errorf("a long remittance is cut at 140 characters, keeping the reference: %q", got)
	}
}

func TestCloseRefusesWhatWasNotAnnounced(t *testing.T) {
	tx := func(i int, amount int64) Transaction {
		return Transaction{PlaceID: fmt.Sprintf("place-%02d", i), Creditor: Account{Name: "Lieu", IBAN: frIBAN(t, i), BIC: "CEPAFRPP213"}, AmountCents: amount}
	}
	for _, c := range []struct {
		name         string
		count, total int64
		amounts      []int64
		addFails     int // index of the Add that must fail, -1 for none
	}{
		{"fewer transfers", 3, 3000, []int64{1000, 1000}, -1},
		{"smaller sum", 2, 2001, []int64{1000, 1000}, -1},
		{"one transfer too many", 2, 3000, []int64{1000, 1000, 1000}, 2},
		{"sum beyond the announced one", 2, 2000, []int64{1000, 1001}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter(&buf, header(t, c.count, c.total))
			if err != nil {
				t.Fatal(err)
			}
			for i, a := range c.amounts {
				err := w.Add(tx(i, a))
				if (err != nil) != (i == c.addFails) {
					t.Fatalf("Add %d: %v", i, err)
				}
			}
			err = w.Close()
			if passnum.ErrorCode(err) != passnum.EINTERNAL || !strings.Contains(passnum.ErrorMessage(err), "n'envoyez aucun fichier") {
				t.Fatalf("Close: %v", err)
			}
			if bytes.Contains(buf.Bytes(), []byte("</Document>")) {
				t.Fatal("a refused file is complete: a bank could take it")
			}
			if err := w.Close(); err == nil {
				t.Fatal("a second Close accepts the refused file")
			}
		})
	}
}

func TestAddRefusesBadTransfers(t *testing.T) {
	good := func() Transaction {
		return Transaction{PlaceID: "place-1", Creditor: Account{Name: "Lieu", IBAN: frIBAN(t, 1), BIC: "CEPAFRPP213"}, AmountCents: 1000}
	}
	for _, c := range []struct {
		name, want string
		change     func(*Transaction)
	}{
		{"bad IBAN key", "clé de contrôle", func(x *Transaction) { x.Creditor.IBAN = "FR7630006000011234567890188" }},
		{"IBAN outside SEPA", "zone SEPA", func(x *Transaction) {
			x.Creditor.IBAN = testIBAN(t, "TN", "10006035183598478831")
			x.Creditor.BIC = "STBKTNTT"
		}},
		{"no IBAN", "l'IBAN manque", func(x *Transaction) { x.Creditor.IBAN = "" }},
		{"BIC of another country", "même RIB", func(x *Transaction) { x.Creditor.BIC = "DEUTDEFF" }},
		{"test BIC", "7e caractère", func(x *Transaction) { x.Creditor.BIC = "CEPAFR01" }},
		{"no BIC", "le BIC manque", func(x *Transaction) { x.Creditor.BIC = "" }},
		{"name without letters", "nom du titulaire", func(x *Transaction) { x.Creditor.Name = "🎉 « » ☺" }},
		{"zero amount", "0,01 €", func(x *Transaction) { x.AmountCents = 0 }},
		{"negative amount", "0,01 €", func(x *Transaction) { x.AmountCents = -500 }},
		{"no place", "n'indique pas le lieu", func(x *Transaction) { x.PlaceID = " " }},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter(&buf, header(t, 1, 1000))
			if err != nil {
				t.Fatal(err)
			}
			before := buf.Len()
			x := good()
			c.change(&x)
			err = w.Add(x)
			if passnum.ErrorCode(err) != passnum.EINVALID || !strings.Contains(passnum.ErrorMessage(err), c.want) {
				t.Fatalf("got %v, want an invalid error saying %q", err, c.want)
			}
			if !strings.HasPrefix(passnum.ErrorMessage(err), "Fichier de virements") {
				t.Errorf("the message does not say which file: %q", passnum.ErrorMessage(err))
			}
			// Nothing of the refused transfer was written, and the file
			// stays unusable.
			if buf.Len() != before {
				t.Error("the refused transfer was written")
			}
			if err := w.Add(good()); err == nil {
				t.Error("the writer goes on after a refused transfer")
			}
			if err := w.Close(); err == nil || bytes.Contains(buf.Bytes(), []byte("</Document>")) {
				t.Error("a file with a refused transfer was completed")
			}
		})
	}
}

func TestAddRefusesAPlacePaidTwice(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, header(t, 2, 2000))
	if err != nil {
		t.Fatal(err)
	}
	x := Transaction{PlaceID: "01jd8k3m5n7p9qrstvwxyz0123", Creditor: Account{Name: "Lieu", IBAN: frIBAN(t, 1), BIC: "CEPAFRPP"}, AmountCents: 1000}
	if err := w.Add(x); err != nil {
		t.Fatal(err)
	}
	if err := w.Add(x); err == nil || !strings.Contains(err.Error(), "payé deux fois") {
		t.Fatalf("second transfer to the same place: %v", err)
	}
	// Two ids ending alike give the same end-to-end id: refused too.
	w, _ = NewWriter(&buf, header(t, 2, 2000))
	x.PlaceID = "aaaaaaaaaa" + "0123456789abcdefgh"
	if err := w.Add(x); err != nil {
		t.Fatal(err)
	}
	x.PlaceID = "bbbbbbbbbb" + "0123456789abcdefgh"
	if err := w.Add(x); err == nil || !strings.Contains(err.Error(), "distinguer") {
		t.Fatalf("same end-to-end id: %v", err)
	}
}

func TestNewWriterRefusesBadHeaders(t *testing.T) {
	for _, c := range []struct {
		name, want string
		change     func(*Header)
	}{
		{"no reference", "référence", func(h *Header) { h.Reference = "" }},
		{"reference with spaces", "référence", func(h *Header) { h.Reference = "PN 2026" }},
		{"reference with accents", "référence", func(h *Header) { h.Reference = "PN-Décembre" }},
		{"reference too long", "référence", func(h *Header) { h.Reference = strings.Repeat("A", MaxReferenceLen+1) }},
		{"reference with //", "référence", func(h *Header) { h.Reference = "PN//2026" }},
		{"message id too long", "identifiant du message", func(h *Header) { h.MessageID = strings.Repeat("A", 36) }},
		{"no creation time", "création", func(h *Header) { h.CreatedAt = time.Time{} }},
		{"no execution date", "date d'exécution", func(h *Header) { h.ExecutionDate = passnum.Date{} }},
		{"execution in the past", "est passée", func(h *Header) { h.ExecutionDate = passnum.MustDate("2026-11-30") }},
		{"bad debtor IBAN", "compte payeur du programme", func(h *Header) { h.Debtor.IBAN = "FR7610071210000000100123450" }},
		{"bad debtor BIC", "compte payeur du programme", func(h *Header) { h.Debtor.BIC = "TRPU" }},
		{"no transfer", "aucun lieu", func(h *Header) { h.Count, h.TotalCents = 0, 0 }},
		{"sum below one cent a transfer", "ne peuvent pas totaliser", func(h *Header) { h.Count, h.TotalCents = 3, 2 }},
		{"transfer above the scheme's maximum", "ne peuvent pas totaliser", func(h *Header) { h.Count, h.TotalCents = 1, MaxAmountCents+1 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := header(t, 2, 2000)
			c.change(&h)
			var buf bytes.Buffer
			_, err := NewWriter(&buf, h)
			if err == nil || !strings.Contains(passnum.ErrorMessage(err), c.want) {
				t.Fatalf("got %v, want an error saying %q", err, c.want)
			}
			if buf.Len() != 0 {
				t.Fatal("a refused header wrote something")
			}
		})
	}
	// An execution on the day the file is made is fine.
	h := header(t, 1, 1000)
	h.ExecutionDate = passnum.ParisDate(created)
	if _, err := NewWriter(&bytes.Buffer{}, h); err != nil {
		t.Fatal(err)
	}
}

func TestMessageIDAndRemittance(t *testing.T) {
	h := header(t, 1, 123456)
	h.MessageID = "PN-20261130-0007-R2"
	h.Remittance = "Pass numérique : remboursement de novembre"
	h.InitiatingParty = "Agence régionale du numérique"
	var buf bytes.Buffer
	w, err := NewWriter(&buf, h)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Add(Transaction{PlaceID: "p", Creditor: Account{Name: "Lieu", IBAN: frIBAN(t, 3), BIC: "cepa frpp"}, AmountCents: 123456}); err != nil {
		t.Fatal(err)
	}
	if w.Count() != 1 || w.Sum() != 123456 {
		t.Fatalf("count %d, sum %d", w.Count(), w.Sum())
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	validate(t, buf.Bytes())
	d := parse(t, buf.Bytes())
	p := d.PmtInf[0]
	if d.GrpHdr.MsgId != "PN-20261130-0007-R2" || p.PmtInfId != "PN-20261130-0007" || d.GrpHdr.InitgPty.Nm != "Agence regionale du numerique" {
		t.Errorf("ids %q %q, initiating party %q", d.GrpHdr.MsgId, p.PmtInfId, d.GrpHdr.InitgPty.Nm)
	}
	if p.Tx[0].Ustrd != "PN-20261130-0007 Pass numerique : remboursement de novembre" || p.Tx[0].Amt.Value != "1234.56" || p.Tx[0].BIC != "CEPAFRPP" {
		t.Errorf("transfer %+v", p.Tx[0])
	}
	if p.Tx[0].EndToEndId != "PN-20261130-0007-p" {
		t.Errorf("end-to-end id %q", p.Tx[0].EndToEndId)
	}
}

// failingWriter fails once it has taken limit bytes.
type failingWriter struct{ limit int }

var errDisk = errors.New("disk full")

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.limit {
		return 0, errDisk
	}
	f.limit -= len(p)
	return len(p), nil
}

func TestWriteErrorsAreReturned(t *testing.T) {
	h := header(t, 2000, 2000*1000)
	w, err := NewWriter(&failingWriter{limit: 100 << 10}, h)
	if err != nil {
		t.Fatal(err)
	}
	var failed error
	for i := 0; i < 2000 && failed == nil; i++ {
		failed = w.Add(Transaction{PlaceID: strconv.Itoa(i), Creditor: Account{Name: "Lieu", IBAN: frIBAN(t, i), BIC: "CEPAFRPP"}, AmountCents: 1000})
	}
	if !errors.Is(failed, errDisk) {
		t.Fatalf("Add after a failed write: %v", failed)
	}
	if err := w.Close(); !errors.Is(err, errDisk) {
		t.Fatalf("Close: %v", err)
	}
}

func TestFormatAmount(t *testing.T) {
	for c, want := range map[int64]string{1: "0.01", 10: "0.10", 100: "1.00", 123456: "1234.56", MaxAmountCents: "999999999.99"} {
		if got := formatAmount(c); got != want {
			t.Errorf("formatAmount(%d) = %q, want %q", c, got, want)
		}
	}
	if got := frenchEuros(123456789); got != "1 234 567,89 €" {
		t.Errorf("frenchEuros = %q", got)
	}
}
