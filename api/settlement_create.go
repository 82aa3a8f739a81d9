package api

import (
	"net/http"

	"passnum"
	"passnum/store"
)

type settlementRequest struct {
	ProgrammeID *string `json:"programme_id" api:"required"`
	Cutoff      *string `json:"cutoff" format:"date" doc:"dernier jour de la période, inclus tout entier (heure de Paris), au plus aujourd'hui ; par défaut le dernier jour du mois précédent"`
}

// settlementAnswer is a settlement as a run answers it: 201 when the run
// made it, 200 when it found nothing new and gives back the one made.
type settlementAnswer struct {
	passnum.Settlement
}

// report counts a settlement the run made, once committed.
func (a settlementAnswer) report(ev passnum.Events) { passnum.SettledEvent(ev, a.Settlement) }

func (a settlementAnswer) httpStatus() int {
	if a.Created {
		return http.StatusCreated
	}
	return http.StatusOK
}

// showSettlement masks the lines' IBANs: whoever reads a settlement
// through the API sees them masked; the full IBAN is given by the audited
// reveal of the place's bank details, and goes only into the SEPA file.
func showSettlement(s passnum.Settlement) passnum.Settlement {
	for i := range s.Lines {
		if s.Lines[i].IBAN != "" {
			s.Lines[i].IBAN = passnum.MaskIBAN(s.Lines[i].IBAN)
		}
	}
	return s
}

func createSettlement(c *call) (func(*store.Tx) (any, error), error) {
	var req settlementRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var f fields
	programmeID := f.id("programme_id", req.ProgrammeID)
	cutoff := f.date("cutoff", req.Cutoff, false)
	if err := f.Err(); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		day := cutoff
		if day.IsZero() {
			day = passnum.DefaultCutoff(tx.Today())
		}
		s, err := tx.Settle(c.ctx(), c.actor, programmeID, day)
		if err != nil {
			return nil, err
		}
		return settlementAnswer{showSettlement(s)}, nil
	}, nil
}
