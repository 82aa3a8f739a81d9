package passnum

import (
	"strings"
	"time"
)

// Why a pass cannot be encashed, in the words the place reads. The store
// decides a redemption in one conditional statement and, when it refuses,
// reads the pass and asks RedeemRefusal why; the place's check page asks
// the same before offering to encash. The API's problem details, the pages
// and the group redemption path thus say the same thing.

// RedeemRefusal explains why pass p, as a place sees it (its status on the
// Paris day, see DisplayStatus), cannot be encashed; nil for an assigned
// pass, which only the programme's window may still refuse (see
// RedeemNotOpen).
func RedeemRefusal(p Pass) error {
	switch p.Status {
	case PassAssigned:
		return nil
	case PassRedeemed:
		if s := p.LastRedemption; s != nil {
			e := Errorf(EALREADYREDEEMED, "Ce pass a déjà été utilisé le %s à %s : il ne peut pas être encaissé une seconde fois.", FormatDateTime(s.RedeemedAt), s.PlaceName)
			e.Extra = map[string]any{"redeemed_at": s.RedeemedAt, "place_id": s.PlaceID}
			return e
		}
		return Errorf(EALREADYREDEEMED, "Ce pass a déjà été utilisé : il ne peut pas être encaissé une seconde fois.")
	case PassExpired:
		return Errorf(EEXPIRED, "Ce pass n'est plus valable : sa période d'utilisation s'est terminée (il était valable jusqu'au %s).", frenchDay(p.ValidUntil))
	case PassBlocked:
		return Errorf(EBLOCKED, "Ce pass appartient à un carnet bloqué (perdu ou remplacé) : il ne peut pas être encaissé. Le bénéficiaire peut s'adresser au conseiller qui le suit.")
	case PassUnassigned:
		return Errorf(ENOTASSIGNED, "Ce pass n'a pas encore été remis à un bénéficiaire : il ne peut pas être encaissé.")
	}
	return RedeemNotOpen()
}

// RedeemNotOpen is the refusal of an assigned pass whose programme's
// redemption window has not opened yet.
func RedeemNotOpen() error {
	return Errorf(EEXPIRED, "Ce pass n'est pas encaissable aujourd'hui : la période de validité du programme n'est pas ouverte.")
}

// RedeemPlaceNotLabelled is the refusal of a place that is not labelled
// at this moment.
func RedeemPlaceNotLabelled() error {
	return Errorf(EPLACENOTLABELLED, "Votre lieu n'est pas labellisé en ce moment : il ne peut pas encaisser de pass. Contactez l'opérateur du programme.")
}

// RedeemOutsideTerritory checks the territory rule of a redemption: a
// place in commune placeCommune may encash the passes of a programme whose
// territory is the comma-separated codes territory. A place without a
// commune is not refused. It returns nil when the rule holds.
func RedeemOutsideTerritory(territory, placeCommune string) error {
	if placeCommune == "" {
		return nil
	}
	codes := strings.Split(territory, ",")
	if InTerritory(codes, placeCommune) {
		return nil
	}
	return Errorf(EOUTSIDETERRITORY, "Votre lieu est hors du territoire de ce programme (%s) : il ne peut pas encaisser ses pass.", TerritoryName(codes))
}

// FormatDateTime writes a moment on the Paris clock as French pages and
// messages do: "02/01/2006 à 15h04".
func FormatDateTime(t time.Time) string { return t.In(Paris).Format("02/01/2006 à 15h04") }
