// Package sepa writes the file a treasurer hands to the programme's bank to
// pay the places: an ISO 20022 customer credit transfer initiation,
// pain.001.001.03, as the SEPA credit transfer scheme takes it. One file
// pays one settlement: one payment information block debiting the
// programme's paying account, one credit transfer per place.
//
// The file is written as transfers are added, so a settlement of thousands
// of places never sits in memory. Its group header states the number of
// transfers and their sum before the first one, so the caller announces
// them (from the settlement's totals) and Close refuses a file whose
// transfers do not add up to what was announced. The bank checks the same
// figures and refuses a file that contradicts them.
package sepa

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"passnum"
)

// Limits of the EPC's implementation guidelines for SEPA credit transfers.
const (
	// MaxNameLen is the length of a name the EPC guarantees to carry (the
	// schema allows 140, the scheme keeps 70).
	MaxNameLen = 70
	// MaxRemittanceLen is the length of the unstructured remittance
	// information, the text the place reads on its bank statement.
	MaxRemittanceLen = 140
	// MaxIDLen is the length of a message, payment or end-to-end id.
	MaxIDLen = 35
	// MaxReferenceLen leaves room in an end-to-end id for a "-" and at
	// least 8 characters identifying the place.
	MaxReferenceLen = MaxIDLen - 9
	// MaxAmountCents is the largest single transfer of the scheme,
	// 999 999 999,99 €.
	MaxAmountCents = 99_999_999_999
)

// ContentType is the media type of a pain.001 file.
const ContentType = "application/xml; charset=utf-8"

// DefaultRemittance follows the settlement reference in every transfer's
// remittance information when Header.Remittance is empty.
const DefaultRemittance = "Pass numerique - remboursement des pass encaisses"

// Account is a bank account as a transfer names it.
type Account struct {
	// Name is the account holder as on the RIB (the payee's bank may check
	// it against the account: verification of payee).
	Name string
	IBAN string
	BIC  string
}

// Header is what the file says before its transfers.
type Header struct {
	// Reference is the settlement's reference (PN-20261130-0007): the
	// payment information id, the start of every end-to-end id and of
	// every remittance text. Letters, digits and - / ? : ( ) . , ' +
	// only, MaxReferenceLen characters at most.
	Reference string
	// MessageID identifies the file for the bank; Reference when empty.
	// Banks refuse a second file with a message id they already took,
	// which stops a settlement from being paid twice by uploading its
	// file twice: give a new one only to send again a file the bank
	// refused.
	MessageID string
	// CreatedAt is when the file is made (the caller's clock), written in
	// Paris time.
	CreatedAt time.Time
	// ExecutionDate is the day the bank is asked to make the transfers;
	// never before CreatedAt's Paris day.
	ExecutionDate passnum.Date
	// Debtor is the programme's paying account.
	Debtor Account
	// InitiatingParty names who sends the file; Debtor.Name when empty.
	InitiatingParty string
	// Remittance follows the reference in every transfer's remittance
	// information; DefaultRemittance when empty.
	Remittance string
	// Count and TotalCents are the number of transfers that will be
	// added and their sum in cents: the settlement's lines that are paid
	// (not held back, amount above zero) and its total.
	Count      int64
	TotalCents int64
}

// Transaction is one credit transfer: one place's line of the settlement.
type Transaction struct {
	// PlaceID identifies the place; its end completes the end-to-end id
	// (Reference-<end of PlaceID>), unique in the file.
	PlaceID string
	// Creditor is the place's bank account as the line copied it.
	Creditor Account
	// AmountCents is the line's amount, at least 1 cent.
	AmountCents int64
	// Remittance, optional, ends the remittance information (after the
	// reference and Header.Remittance), e.g. the number of passes.
	Remittance string
}

// Writer writes one pain.001.001.03 file.
type Writer struct {
	w          *bufio.Writer
	h          Header
	remittance string
	count, sum int64
	ends       map[string]struct{}
	places     map[string]struct{}
	err        error // the first error: every later call returns it
	closed     bool
}

// NewWriter checks the header and writes the file's beginning to w. It
// refuses a header that is incomplete or whose accounts are invalid, and
// then writes nothing.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	if err := h.normalise(); err != nil {
		return nil, err
	}
	sw := &Writer{
		w:          bufio.NewWriterSize(w, 64<<10),
		h:          h,
		ends:       make(map[string]struct{}, min(h.Count, 1<<16)),
		places:     make(map[string]struct{}, min(h.Count, 1<<16)),
		remittance: h.Remittance,
	}
	sw.begin()
	return sw, nil
}

func invalid(format string, args ...any) error {
	return passnum.Errorf(passnum.EINVALID, format, args...)
}

// normalise checks the header and puts its texts in the SEPA character set.
func (h *Header) normalise() error {
	if !validIdentifier(h.Reference, MaxReferenceLen) {
		return invalid("Fichier de virements : la référence du remboursement %q doit compter 1 à %d caractères parmi les lettres sans accent, les chiffres et - / ? : ( ) . , ' + (sans espace).", h.Reference, MaxReferenceLen)
	}
	if h.MessageID == "" {
		h.MessageID = h.Reference
	}
	if !validIdentifier(h.MessageID, MaxIDLen) {
		return invalid("Fichier de virements : l'identifiant du message %q doit compter 1 à %d caractères parmi les lettres sans accent, les chiffres et - / ? : ( ) . , ' + (sans espace).", h.MessageID, MaxIDLen)
	}
	if h.CreatedAt.IsZero() {
		return invalid("Fichier de virements : la date de création du fichier manque.")
	}
	if h.ExecutionDate.IsZero() {
		return invalid("Fichier de virements : choisissez la date d'exécution demandée à la banque.")
	}
	if today := passnum.ParisDate(h.CreatedAt); h.ExecutionDate.Before(today) {
		return invalid("Fichier de virements : la date d'exécution demandée (%s) est passée : choisissez aujourd'hui (%s) ou un jour suivant.", frenchDay(h.ExecutionDate), frenchDay(today))
	}
	if h.Count < 1 {
		return passnum.Errorf(passnum.ENOTHINGTOSETTLE, "Fichier de virements : ce remboursement ne paie aucun lieu (lignes retenues ou nulles) : il n'y a pas de virement à envoyer.")
	}
	if h.Count > 999_999_999_999_999 || h.TotalCents < h.Count || h.TotalCents/h.Count > MaxAmountCents || h.TotalCents > 999_999_999_999_999_999 {
		return invalid("Fichier de virements : %d virements ne peuvent pas totaliser %s (chaque virement va de 0,01 € à 999 999 999,99 €).", h.Count, frenchEuros(h.TotalCents))
	}
	debtor, err := checkAccount(h.Debtor, "compte payeur du programme")
	if err != nil {
		return err
	}
	h.Debtor = debtor
	if h.InitiatingParty = Latin(h.InitiatingParty, MaxNameLen); h.InitiatingParty == "" {
		h.InitiatingParty = h.Debtor.Name
	}
	if h.Remittance == "" {
		h.Remittance = DefaultRemittance
	}
	h.Remittance = Latin(h.Reference+" "+h.Remittance, MaxRemittanceLen)
	return nil
}

// checkAccount normalises an account and refuses an invalid one; whose
// names the account in the error.
func checkAccount(a Account, whose string) (Account, error) {
	name := Latin(a.Name, MaxNameLen)
	if !strings.ContainsFunc(name, isAlnum) {
		return a, invalid("Fichier de virements, %s : le nom du titulaire n'a aucun caractère utilisable dans un virement SEPA (lettres, chiffres) : corrigez-le.", whose)
	}
	iban := passnum.NormalizeIBAN(a.IBAN)
	if iban == "" {
		return a, invalid("Fichier de virements, %s : l'IBAN manque.", whose)
	}
	if msg := passnum.CheckIBAN(iban); msg != "" {
		return a, invalid("Fichier de virements, %s : %s.", whose, msg)
	}
	bic := passnum.NormalizeBIC(a.BIC)
	if bic == "" {
		return a, invalid("Fichier de virements, %s : le BIC manque.", whose)
	}
	if msg := passnum.CheckBIC(bic, iban); msg != "" {
		return a, invalid("Fichier de virements, %s : %s.", whose, msg)
	}
	if !schemaBIC(bic) {
		return a, invalid("Fichier de virements, %s : le 7e caractère d'un BIC ne peut être ni 0 ni 1 et le 8e ne peut être la lettre O (codes réservés aux tests et aux participants indirects) : recopiez le BIC depuis le RIB.", whose)
	}
	return Account{Name: name, IBAN: iban, BIC: bic}, nil
}

func isAlnum(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// schemaBIC reports whether a BIC already checked by passnum.CheckBIC also
// matches the schema's pattern [A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?,
// which reserves the location codes of test and passive BICs.
func schemaBIC(bic string) bool {
	if len(bic) < 8 {
		return false
	}
	c7, c8 := bic[6], bic[7]
	return c7 != '0' && c7 != '1' && c8 != 'O'
}

// begin writes everything before the first transfer.
func (sw *Writer) begin() {
	h := sw.h
	count := strconv.FormatInt(h.Count, 10)
	sum := formatAmount(h.TotalCents)
	w := sw.w
	w.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	w.WriteString(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` + "\n")
	w.WriteString("  <CstmrCdtTrfInitn>\n")
	w.WriteString("    <GrpHdr>\n")
	element(w, 6, "MsgId", h.MessageID)
	element(w, 6, "CreDtTm", h.CreatedAt.In(passnum.Paris).Format("2006-01-02T15:04:05"))
	element(w, 6, "NbOfTxs", count)
	element(w, 6, "CtrlSum", sum)
	w.WriteString("      <InitgPty>\n")
	element(w, 8, "Nm", h.InitiatingParty)
	w.WriteString("      </InitgPty>\n")
	w.WriteString("    </GrpHdr>\n")
	w.WriteString("    <PmtInf>\n")
	element(w, 6, "PmtInfId", h.Reference)
	element(w, 6, "PmtMtd", "TRF")
	// One debit of the settlement's total on the programme's account: the
	// treasurer matches it to the settlement by its reference; each place
	// finds the reference on its own credit.
	element(w, 6, "BtchBookg", "true")
	element(w, 6, "NbOfTxs", count)
	element(w, 6, "CtrlSum", sum)
	w.WriteString("      <PmtTpInf>\n        <SvcLvl>\n")
	element(w, 10, "Cd", "SEPA")
	w.WriteString("        </SvcLvl>\n      </PmtTpInf>\n")
	element(w, 6, "ReqdExctnDt", h.ExecutionDate.String())
	w.WriteString("      <Dbtr>\n")
	element(w, 8, "Nm", h.Debtor.Name)
	w.WriteString("      </Dbtr>\n")
	account(w, 6, "DbtrAcct", h.Debtor.IBAN)
	agent(w, 6, "DbtrAgt", h.Debtor.BIC)
	element(w, 6, "ChrgBr", "SLEV")
}

// Add writes one transfer. It refuses an invalid account or amount, a
// place already paid in the file, or a transfer beyond the announced count
// or sum; the file is then unusable and Close returns the same error.
func (sw *Writer) Add(t Transaction) error {
	if sw.err != nil {
		return sw.err
	}
	if sw.closed {
		return invalid("Fichier de virements : le fichier est déjà terminé.")
	}
	if err := sw.add(t); err != nil {
		sw.err = err
		return err
	}
	return nil
}

func (sw *Writer) add(t Transaction) error {
	if strings.TrimSpace(t.PlaceID) == "" {
		return invalid("Fichier de virements : un virement n'indique pas le lieu qu'il paie.")
	}
	if _, dup := sw.places[t.PlaceID]; dup {
		return invalid("Fichier de virements : le lieu %s est payé deux fois dans le même fichier.", t.PlaceID)
	}
	if t.AmountCents < 1 || t.AmountCents > MaxAmountCents {
		return invalid("Fichier de virements : le virement au lieu %s est de %s ; un virement SEPA va de 0,01 € à 999 999 999,99 € (une ligne retenue ou nulle n'a pas de virement).", t.PlaceID, frenchEuros(t.AmountCents))
	}
	creditor, err := checkAccount(t.Creditor, "compte du lieu "+t.PlaceID)
	if err != nil {
		return err
	}
	end := endToEndID(sw.h.Reference, t.PlaceID)
	if _, dup := sw.ends[end]; dup || end == "" {
		return invalid("Fichier de virements : l'identifiant du lieu %s ne permet pas de distinguer son virement (%q) : prévenez l'équipe technique.", t.PlaceID, end)
	}
	if sw.count+1 > sw.h.Count || sw.sum+t.AmountCents > sw.h.TotalCents {
		return sw.mismatch(sw.count+1, sw.sum+t.AmountCents)
	}
	sw.places[t.PlaceID] = struct{}{}
	sw.ends[end] = struct{}{}
	sw.count++
	sw.sum += t.AmountCents

	remittance := sw.remittance
	if extra := Latin(t.Remittance, MaxRemittanceLen); extra != "" {
		remittance = Latin(remittance+" "+extra, MaxRemittanceLen)
	}
	w := sw.w
	w.WriteString("      <CdtTrfTxInf>\n        <PmtId>\n")
	element(w, 10, "EndToEndId", end)
	w.WriteString("        </PmtId>\n        <Amt>\n")
	w.WriteString(`          <InstdAmt Ccy="EUR">` + formatAmount(t.AmountCents) + "</InstdAmt>\n")
	w.WriteString("        </Amt>\n")
	agent(w, 8, "CdtrAgt", creditor.BIC)
	w.WriteString("        <Cdtr>\n")
	element(w, 10, "Nm", creditor.Name)
	w.WriteString("        </Cdtr>\n")
	account(w, 8, "CdtrAcct", creditor.IBAN)
	w.WriteString("        <RmtInf>\n")
	element(w, 10, "Ustrd", remittance)
	_, err = w.WriteString("        </RmtInf>\n      </CdtTrfTxInf>\n")
	return err // the first failed write to the underlying writer, if any
}

// endToEndID is the settlement's reference, a dash and as much of the end
// of the place's id as fits in 35 characters (the end of an id is its
// random part).
func endToEndID(reference, placeID string) string {
	id := Identifier(placeID, 3*len(placeID)+8)
	if room := MaxIDLen - len(reference) - 1; len(id) > room {
		id = strings.TrimLeft(id[len(id)-room:], "/")
	}
	if id == "" {
		return ""
	}
	return reference + "-" + id
}

// Close ends the file and flushes it to the underlying writer, which it
// does not close. It refuses a file whose transfers differ in number or
// sum from the header's: the end of the file is then not written, so that
// no bank can take it.
func (sw *Writer) Close() error {
	if sw.err != nil {
		return sw.err
	}
	if sw.closed {
		return nil
	}
	if sw.count != sw.h.Count || sw.sum != sw.h.TotalCents {
		sw.err = sw.mismatch(sw.count, sw.sum)
		return sw.err
	}
	sw.closed = true
	sw.w.WriteString("    </PmtInf>\n  </CstmrCdtTrfInitn>\n</Document>\n")
	if err := sw.w.Flush(); err != nil {
		sw.err = err
		return err
	}
	return nil
}

func (sw *Writer) mismatch(count, sum int64) error {
	return passnum.Errorf(passnum.EINTERNAL, "Fichier de virements %s inutilisable : %d virements pour %s annoncés, %d pour %s ajoutés. Les lignes du remboursement ne s'additionnent pas : n'envoyez aucun fichier à la banque, lancez « passnum check » et prévenez l'équipe technique.",
		sw.h.Reference, sw.h.Count, frenchEuros(sw.h.TotalCents), count, frenchEuros(sum))
}

// Count is the number of transfers added so far.
func (sw *Writer) Count() int64 { return sw.count }

// Sum is the sum in cents of the transfers added so far.
func (sw *Writer) Sum() int64 { return sw.sum }

// element writes <name>text</name> on its own line. Texts are in the SEPA
// Latin set, which holds no character XML must escape.
func element(w *bufio.Writer, indent int, name, text string) {
	writeIndent(w, indent)
	w.WriteString("<" + name + ">")
	w.WriteString(text)
	w.WriteString("</" + name + ">\n")
}

func account(w *bufio.Writer, indent int, name, iban string) {
	writeIndent(w, indent)
	w.WriteString("<" + name + "><Id><IBAN>" + iban + "</IBAN></Id></" + name + ">\n")
}

func agent(w *bufio.Writer, indent int, name, bic string) {
	writeIndent(w, indent)
	w.WriteString("<" + name + "><FinInstnId><BIC>" + bic + "</BIC></FinInstnId></" + name + ">\n")
}

func writeIndent(w *bufio.Writer, n int) {
	const spaces = "            "
	w.WriteString(spaces[:n])
}

// formatAmount writes cents as euros with two decimals and a point, as the
// schema's decimals are written: 1234.50.
func formatAmount(cents int64) string {
	var b [24]byte
	out := strconv.AppendInt(b[:0], cents/100, 10)
	r := cents % 100
	out = append(out, '.', byte('0'+r/10), byte('0'+r%10))
	return string(out)
}

// frenchEuros writes an amount for a message: 1 234,50 €.
func frenchEuros(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	digits := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return fmt.Sprintf("%s%s,%02d €", sign, b.String(), cents%100)
}

func frenchDay(d passnum.Date) string {
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, d.Month, d.Year)
}
