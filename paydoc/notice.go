package paydoc

import (
	"context"
	"log/slog"
	"strings"

	"passnum"
	"passnum/document"
	"passnum/mail"
	"passnum/store"
)

// The e-mails that tell the places where their payment stands: when a
// settlement with their line is sent to the bank, and when it is paid
// (confirmed, with four eyes). Held-back lines pay nothing and their
// places read why on their pages; a place without a contact e-mail is
// told on its pages only.

// PlacesPage is where a place reads its settlements and statements.
const PlacesPage = "/lieu/remboursements"

// SettlementMessages are the e-mails to send about a settlement whose
// status just changed: one per place paid when it is sent or paid, none
// otherwise (created, or a payment waiting for the second operator's
// confirmation). Read them in the transaction that changed the status and
// send them once it committed (NotifySettlementPlaces).
func SettlementMessages(ctx context.Context, tx *store.Tx, settlementID, siteURL string) ([]mail.Message, error) {
	notices, err := tx.SettlementNotices(ctx, settlementID)
	if err != nil || len(notices) == 0 {
		return nil, err
	}
	status := notices[0].Status
	if status != passnum.SettlementSent && status != passnum.SettlementPaid {
		return nil, nil
	}
	s, err := tx.ProgrammeOfSettlement(ctx, settlementID)
	if err != nil {
		return nil, err
	}
	previous, err := tx.PreviousCutoff(ctx, settlementID)
	if err != nil {
		return nil, err
	}
	from := s.ValidFrom
	if !previous.IsZero() {
		from = previous.AddDays(1)
	}
	period := "du " + document.FormatDay(from) + " au " + document.FormatDay(s.Cutoff)
	link := strings.TrimRight(siteURL, "/") + PlacesPage
	var out []mail.Message
	for _, n := range notices {
		if strings.TrimSpace(n.Email) == "" {
			continue
		}
		out = append(out, mail.Message{To: n.Email, Subject: noticeSubject(n), Body: noticeBody(n, s.ProgrammeName, period, link)})
	}
	return out, nil
}

func noticeSubject(n store.PlaceNotice) string {
	amount := document.FormatAmount(n.AmountCents)
	if n.Status == passnum.SettlementPaid {
		return "Pass numérique : remboursement " + n.Reference + " payé (" + amount + ")"
	}
	return "Pass numérique : remboursement " + n.Reference + " envoyé à la banque (" + amount + ")"
}

func noticeBody(n store.PlaceNotice, programme, period, link string) string {
	var b strings.Builder
	amount := document.FormatAmount(n.AmountCents)
	b.WriteString("Bonjour,\n\n")
	b.WriteString("Le remboursement " + n.Reference + " du programme « " + programme + " » couvre les pass encaissés par « " + n.PlaceName + " » " + period + ".\n\n")
	switch {
	case n.AmountCents == 0:
		b.WriteString("Il ne vous verse rien : les régularisations de ce remboursement reprennent autant que vos encaissements. Le relevé en donne le détail.\n\n")
	case n.Status == passnum.SettlementPaid:
		paid := ""
		if n.PaidOn != nil {
			paid = " le " + document.FormatDay(*n.PaidOn)
		}
		b.WriteString("Il est payé : la banque a viré " + amount + paid + " sur le compte bancaire approuvé de votre lieu, avec la référence " + n.Reference + " dans le libellé du virement.\n\n")
	default:
		b.WriteString("Le fichier de virements a été envoyé à la banque : " + amount + " seront virés sur le compte bancaire approuvé de votre lieu dans les prochains jours, avec la référence " + n.Reference + " dans le libellé du virement. Un second courriel vous dira quand le paiement est fait.\n\n")
	}
	b.WriteString("Le relevé de remboursement (chaque pass, les régularisations, le total, en PDF et en tableur) est dans votre espace :\n" + link + "\n\n")
	b.WriteString("Ce message est envoyé automatiquement ; pour toute question, écrivez à l'opérateur du Pass numérique.\n")
	return b.String()
}

// NotifySettlementPlaces sends the messages after the change committed. A
// message that does not leave is logged and never undoes the payment; it
// returns how many left.
func NotifySettlementPlaces(ctx context.Context, sender mail.Sender, log *slog.Logger, msgs []mail.Message) int {
	if sender == nil {
		return 0
	}
	sent := 0
	for _, m := range msgs {
		if err := sender.Send(ctx, m); err != nil {
			if log != nil {
				log.ErrorContext(ctx, "settlement mail not sent", "subject", m.Subject, "err", err)
			}
			continue
		}
		sent++
	}
	return sent
}
