package api

import (
	"net/http"
	"strings"

	"passnum"
	"passnum/store"
)

// A young person's personal data in the API: every read of their record
// by staff is logged with its purpose (?purpose=, "support" when not
// given); their agency or the operator downloads everything held on them
// and erases their identity on request; the operator lists the reads.

// recordRead is a read of young people's records to log.
type recordRead struct {
	purpose passnum.ReadPurpose
	via     passnum.ReadVia
	ids     []string
}

// purpose reads ?purpose=, def when absent.
func (c *call) purpose(def passnum.ReadPurpose) (passnum.ReadPurpose, error) {
	return passnum.ParseReadPurpose(c.r.URL.Query().Get("purpose"), def)
}

// logRead asks for the read of records ids to be logged.
func (c *call) logRead(purpose passnum.ReadPurpose, via passnum.ReadVia, ids ...string) {
	if len(ids) > 0 {
		c.reads = append(c.reads, recordRead{purpose: purpose, via: via, ids: ids})
	}
}

// logReads writes the reads a GET asked for, in a write of its own, before
// the answer goes out.
func (s *Server) logReads(r *http.Request, c *call) error {
	if len(c.reads) == 0 {
		return nil
	}
	return s.store.Write(r.Context(), func(tx *store.Tx) error {
		for _, rd := range c.reads {
			if err := tx.LogRead(r.Context(), c.actor, rd.purpose, rd.via, rd.ids...); err != nil {
				return err
			}
		}
		return nil
	})
}

var purposeQuery = queryParam{Name: "purpose", Doc: "motif de la consultation, consigné dans le journal des consultations : support (accompagnement, par défaut), correction, request (demande de la personne), control (contrôle)",
	Enum: []string{string(passnum.ReadSupport), string(passnum.ReadCorrection), string(passnum.ReadRequest), string(passnum.ReadControl)}}

// personalDataRoutes: the rights of a young person over their data.
func personalDataRoutes() []*route {
	staff := []passnum.Role{passnum.RoleOperator, passnum.RoleDistributor}
	return []*route{
		{Method: "GET", Path: "/beneficiaries/{id}/data", Roles: staff, Summary: "Tout ce qui est conservé sur un jeune (droit d'accès) : sa fiche, ses corrections, ses pass et leurs encaissements, ses réservations, les consultations de sa fiche ; la lecture est consignée",
			Query: []queryParam{{Name: purposeQuery.Name, Doc: purposeQuery.Doc + " ; request par défaut ici", Enum: purposeQuery.Enum}}, Response: store.PersonalData{}, Status: http.StatusOK,
			Errors: []string{passnum.ENOTFOUND, passnum.EINVALID}, Handle: getPersonalData},
		{Method: "POST", Path: "/beneficiaries/{id}/erase", Roles: staff, Summary: "Effacer l'identité d'un jeune à sa demande (nom, prénom, date de naissance hors l'année, coordonnées), sans retour possible ; carnets, pass, encaissements et remboursements restent intacts ; motif obligatoire, consigné dans le journal d'audit",
			Request: reasonRequest{}, Response: passnum.Beneficiary{}, Status: http.StatusOK,
			Errors: []string{passnum.ENOTFOUND, passnum.EINVALID, passnum.EERASED}, Handle: eraseBeneficiary},
		{Method: "GET", Path: "/beneficiaries/{id}/reads", Roles: operator, Summary: "Consultations de la fiche d'un jeune par le personnel (qui, quand, pourquoi), de la plus récente à la plus ancienne",
			Response: list[passnum.RecordRead]{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND, passnum.EINVALID}, Handle: listRecordReads},
	}
}

func getPersonalData(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	purpose, err := c.purpose(passnum.ReadRequest)
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		d, err := tx.PersonalDataOf(c.ctx(), id, c.ownFilter())
		if err == nil {
			c.logRead(purpose, passnum.ReadViaExport, id)
		}
		return d, err
	}, nil
}

func eraseBeneficiary(c *call) (func(*store.Tx) (any, error), error) {
	id, reason, err := c.idAndReason()
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		return tx.EraseBeneficiary(c.ctx(), c.actor, id, c.ownFilter(), strings.TrimSpace(reason))
	}, nil
}

func listRecordReads(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		items, next, err := tx.RecordReads(c.ctx(), id, "", p)
		return newList(items, next), err
	}, nil
}
