package document

import (
	"fmt"
	"io"
	"strings"
	"time"

	"passnum"
)

// FunderClosingStatement is what a funder is told when a programme ends:
// what its passes became (used and paid, taken back by corrections,
// released because never handed out or never used), what it owes in all,
// and the settlement that closed the payments. Every issued pass is in
// exactly one of Used, Unsettled, NotHandedOut and Unused.
type FunderClosingStatement struct {
	ProgrammeName string
	// ValidFrom, ValidUntil and LastRedeemDay (ValidUntil plus the grace
	// days) bound the programme.
	ValidFrom     passnum.Date
	ValidUntil    passnum.Date
	LastRedeemDay passnum.Date
	// FunderID is the funder the statement is for, one of Funders.
	FunderID string
	Funders  []Funder
	// Issued counts every pass issued, at face value.
	Issued PassFigure
	// Used counts the redemptions settled (paid to the places or in a
	// settlement not yet paid), whether or not corrected later.
	Used PassFigure
	// Adjusted counts the corrections of settled redemptions (negative
	// amount): passes used but taken back from the places.
	Adjusted PassFigure
	// Unsettled counts passes redeemed but not yet settled (a held-back
	// place): owed when the cause is fixed.
	Unsettled PassFigure
	// NotHandedOut and Unused are released: issued but never handed out,
	// and handed out but never used (expired). They cost no funder anything.
	NotHandedOut PassFigure
	Unused       PassFigure
	// Owed are, per funder, the sums of its shares of every settlement
	// line; OwedPaid the part of them in settlements already paid.
	Owed     []passnum.FunderAmount
	OwedPaid []passnum.FunderAmount
	// FinalSettlement is the programme's last settlement; nil when there
	// was none. Settlements is the number of settlements.
	FinalSettlement *passnum.Settlement
	Settlements     int64
	GeneratedAt     time.Time
}

// PassFigure is a number of passes and their value in cents.
type PassFigure struct {
	Passes int64
	Cents  int64
}

func (s FunderClosingStatement) check(fc funderColumns) (owed, owedPaid []int64, err error) {
	if strings.TrimSpace(s.ProgrammeName) == "" || s.ValidUntil.IsZero() {
		return nil, nil, invalid("le nom ou la fin de validité du programme manque")
	}
	parts := func(fa []passnum.FunderAmount) ([]int64, error) {
		out := make([]int64, len(fc.funders))
		for _, a := range fa {
			i, ok := fc.index[a.OrganisationID]
			if !ok {
				return nil, invalid("une part revient à %s, qui n'est pas un financeur du programme", a.OrganisationID)
			}
			out[i] += a.AmountCents
		}
		return out, nil
	}
	if owed, err = parts(s.Owed); err != nil {
		return nil, nil, err
	}
	if owedPaid, err = parts(s.OwedPaid); err != nil {
		return nil, nil, err
	}
	passes := s.Used.Passes + s.Unsettled.Passes + s.NotHandedOut.Passes + s.Unused.Passes
	cents := s.Used.Cents + s.Unsettled.Cents + s.NotHandedOut.Cents + s.Unused.Cents
	if passes != s.Issued.Passes || cents != s.Issued.Cents {
		return nil, nil, notAddingUp("Bilan de fin de programme", "%s émis pour %s, mais utilisés, non remboursés, jamais remis et jamais utilisés font %s pour %s",
			counted(s.Issued.Passes, "pass", "pass"), FormatAmount(s.Issued.Cents), counted(passes, "pass", "pass"), FormatAmount(cents))
	}
	// The lines pay the passes used less the corrections, plus what a
	// line could not deduct and carried to a next one that never came:
	// never less.
	if sum(owed) < s.Used.Cents+s.Adjusted.Cents {
		return nil, nil, notAddingUp("Bilan de fin de programme", "les parts des financeurs font %s, moins que les pass utilisés (%s) et les régularisations (%s)",
			FormatAmount(sum(owed)), FormatAmount(s.Used.Cents), FormatAmount(s.Adjusted.Cents))
	}
	return owed, owedPaid, nil
}

// FunderClosingPDF writes a funder's closing statement of a programme as
// an A4 PDF. Nothing is written when the passes do not add up to those
// issued.
func FunderClosingPDF(w io.Writer, s FunderClosingStatement) error {
	fc, err := newFunderColumns(s.Funders, s.FunderID)
	if err != nil {
		return err
	}
	owed, owedPaid, err := s.check(fc)
	if err != nil {
		return err
	}
	self := fc.funders[fc.self]
	r := newReport(
		"Bilan de fin de programme – "+self.Name,
		"Bilan de fin de programme "+s.ProgrammeName,
		"Bilan de fin de programme · "+s.ProgrammeName+" · "+self.Name,
		"Bilan de fin de programme · édité le "+FormatParisDay(s.GeneratedAt),
		s.GeneratedAt)
	r.title("Pass numérique · "+s.ProgrammeName, "Bilan de fin de programme", self.Name)

	final := "aucun remboursement"
	if f := s.FinalSettlement; f != nil {
		final = f.Reference + ", arrêté au " + FormatDay(f.Cutoff) + " : " + PaymentStatus(*f, passnum.SettlementLine{})
	}
	validity := formatPeriod(s.ValidFrom, s.ValidUntil)
	if !s.LastRedeemDay.IsZero() && s.LastRedeemDay != s.ValidUntil {
		validity += " ; pass acceptés jusqu'au " + FormatDay(s.LastRedeemDay) + " (délai de tolérance)"
	}
	r.facts(52, []fact{
		{"Financeur", fc.label(fc.self)},
		{"Programme", s.ProgrammeName},
		{"Validité", validity},
		{"Remboursements", counted(s.Settlements, "remboursement", "remboursements")},
		{"Dernier remboursement", final},
	})

	released := closingPasses(r, s)
	closingOwed(r, fc, owed, owedPaid)
	closingNotes(r, s, fc, owed, released)
	return r.output(w)
}

// closingPasses tells what the issued passes became; it returns the face
// value released (never handed out, or never used).
func closingPasses(r *report, s FunderClosingStatement) int64 {
	r.heading("Ce que sont devenus les pass émis", 50)
	r.startTable(
		column{title: "Pass émis", width: contentW - 28 - 34, wrap: true},
		column{title: "Pass", width: 28, right: true},
		column{title: "Valeur faciale", width: 34, right: true},
	)
	figure := func(label string, f PassFigure, bold bool) {
		r.row(bold, label, FormatCount(f.Passes), FormatAmount(f.Cents))
	}
	figure("Émis", s.Issued, true)
	figure("Utilisés et remboursés aux lieux", s.Used, false)
	if s.Unsettled.Passes != 0 {
		figure("Utilisés, pas encore remboursés (lieux retenus)", s.Unsettled, false)
	}
	figure("Libérés : jamais remis à un bénéficiaire", s.NotHandedOut, false)
	figure("Libérés : remis mais jamais utilisés", s.Unused, false)
	figure("Régularisations : encaissements repris aux lieux", s.Adjusted, false)
	r.row(true, "Valeur faciale consommée (utilisés + non remboursés + régularisations)", "",
		FormatAmount(s.Used.Cents+s.Unsettled.Cents+s.Adjusted.Cents))
	released := s.NotHandedOut.Cents + s.Unused.Cents
	r.row(true, "Valeur faciale libérée, qui ne coûte rien aux financeurs", FormatCount(s.NotHandedOut.Passes+s.Unused.Passes), FormatAmount(released))
	r.endTable()

	return released
}

// closingOwed is what each funder owes, has paid and has still to pay.
func closingOwed(r *report, fc funderColumns, owed, owedPaid []int64) {
	r.heading("Ce que doit chaque financeur", 30)
	r.startTable(
		column{title: "Financeur", width: contentW - 3*36, wrap: true},
		column{title: "Doit au total", width: 36, right: true},
		column{title: "Déjà réglé aux lieux", width: 36, right: true, wrap: true},
		column{title: "En cours", width: 36, right: true},
	)
	for i := range fc.funders {
		r.row(i == fc.self, fc.label(i), FormatAmount(owed[i]), FormatAmount(owedPaid[i]), FormatAmount(owed[i]-owedPaid[i]))
	}
	r.row(true, "Total", FormatAmount(sum(owed)), FormatAmount(sum(owedPaid)), FormatAmount(sum(owed)-sum(owedPaid)))
	r.endTable()

}

// closingNotes says in words what this funder owes and what it spared,
// and what is left to recover or to pay.
func closingNotes(r *report, s FunderClosingStatement, fc funderColumns, owed []int64, released int64) {
	self := fc.funders[fc.self]
	shares := make([]int64, len(fc.funders))
	for i, f := range fc.funders {
		shares[i] = f.ShareBps
	}
	releasedShare := passnum.Apportion(released, shares)[fc.self]
	r.para(fmt.Sprintf("%s doit %s au titre du programme, la somme de ses parts (%s) des lignes de chaque remboursement. "+
		"Les pass libérés ne lui coûtent rien : à sa part, ils représentent %s de valeur faciale non dépensée.",
		self.Name, FormatAmount(owed[fc.self]), passnum.FormatBasisPoints(self.ShareBps), FormatAmount(releasedShare)), 9.5)
	if carried := sum(owed) - (s.Used.Cents + s.Adjusted.Cents); carried > 0 {
		r.para(fmt.Sprintf("Les remboursements ont versé %s de plus que les pass utilisés moins les régularisations : des régularisations plus grandes que les derniers remboursements de certains lieux sont restées reportées, faute de remboursement suivant. Elles sont à recouvrer auprès de ces lieux.",
			FormatAmount(carried)), 9.5)
	}
	if s.Unsettled.Passes != 0 {
		r.para(fmt.Sprintf("%s encaissés par des lieux retenus (coordonnées bancaires non approuvées, label suspendu) restent à rembourser : ils le seront au premier remboursement qui suit la levée de la cause.",
			counted(s.Unsettled.Passes, "pass", "pass")), 9.5)
	}
	r.color(grey)
	r.para("Chaque régularisation reprend un encaissement déjà remboursé (erreur, doublon, fraude) ; elle est déduite du remboursement suivant du lieu, sans jamais modifier un remboursement passé.", 8.5)
	r.color([3]int{})
}
