package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"passnum"
	"passnum/paydoc"
	"passnum/store"
)

// statsRoutes: the programme dashboards' figures and the dormant booklets
// agencies call back.
func statsRoutes() []*route {
	return []*route{
		{Method: "GET", Path: "/stats", Roles: []passnum.Role{passnum.RoleOperator, passnum.RoleFunder},
			Summary: "Tableau de bord d'un programme : pass émis, attribués, remis, utilisés, expirés ; carnets commencés et terminés ; taux d'utilisation ; " +
				"part du public cible ; délai entre la remise et la première utilisation (médiane et répartition) ; budget engagé, remboursé, payé et restant par financeur ; " +
				"utilisation par mois ; et le détail par département, commune, distributeur, lieu, service ou tranche d'âge. " +
				"Les remises, carnets commencés et délais comptent les carnets remis dans la période ; les utilisations, celles de la période (mois de Paris). " +
				"Un financeur ne voit que les programmes qu'il finance, sous secret statistique : une case de moins de 5 personnes vaut null et son nom figure dans masked, " +
				"ainsi qu'une seconde case qui permettrait de la retrouver par soustraction du total. Une ligne entière masquée est nommée par sa clé (« total », « month 2026-03 », " +
				"la clé d'une ligne du détail) ; un chiffre seul d'une ligne affichée, avec ce qui le redonnerait (taux, montant), par « clé:chiffre », " +
				"par exemple « 25:booklets_started » ou « total:passes_used » ; une répartition first_use dont des tranches valent null (moins de 5 carnets, zéro compris, " +
				"ou qui permettraient d'en retrouver une) par « clé:first_use », et null entière quand toutes le sont. Les pass utilisés comptent au moins une personne par carnet de pass. " +
				"Le secret tient d'une période à l'autre : un chiffre du programme est masqué (« total:chiffre ») sur une période qui ne tient qu'une partie de ses mois masqués, " +
				"et le détail (by) d'un financeur porte sur une année civile entière (from=AAAA-01, to=AAAA-12) ; toute autre période est refusée",
			Query: []queryParam{
				{Name: "programme_id", Doc: "le programme (obligatoire)"},
				{Name: "from", Doc: "premier mois, AAAA-MM (ou un jour AAAA-MM-JJ : son mois), inclus"},
				{Name: "to", Doc: "dernier mois, AAAA-MM (ou un jour AAAA-MM-JJ : son mois), inclus"},
				{Name: "by", Doc: "détail par, un seul à la fois ; pour un financeur, sur une année civile entière", Enum: store.StatBreakdowns},
			},
			Response: ProgrammeStats{}, Status: http.StatusOK, Errors: []string{passnum.EINVALID, passnum.ENOTFOUND}, Handle: getStats},
		{Method: "GET", Path: "/distributors/{id}/dormant-booklets", Roles: []passnum.Role{passnum.RoleOperator, passnum.RoleDistributor},
			Summary: "Carnets dormants d'un distributeur : remis depuis plus de N jours (réglage du programme, 60 par défaut), aucun pass utilisé, encore utilisables ; " +
				"les plus anciens d'abord, avec l'e-mail et le mobile des jeunes qui acceptent d'être contactés et la date du dernier rappel. Un distributeur ne voit que les siens ; " +
				"chaque jeune listé compte comme une consultation de sa fiche",
			Query:    []queryParam{purposeQuery},
			Response: []DormantBooklet{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND, passnum.EINVALID}, Handle: listDormantBooklets},
		{Method: "POST", Path: "/booklets/{id}/called", Roles: []passnum.Role{passnum.RoleOperator, passnum.RoleDistributor},
			Summary:  "Noter que le bénéficiaire d'un carnet dormant a été rappelé (journal d'audit) ; un distributeur, pour les carnets qu'il a remis",
			Response: DormantBooklet{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND, passnum.ECONFLICT}, Handle: markCalled},
		yearlyReportRoute(paydoc.PDF, pdfType), yearlyReportRoute(paydoc.XLSX, xlsxType),
	}
}

// yearlyReportRoute is the yearly report for the State and the Région, in
// one format.
func yearlyReportRoute(f paydoc.Format, produces string) *route {
	return &route{Method: "GET", Path: "/programmes/{id}/report." + string(f), Roles: []passnum.Role{passnum.RoleOperator, passnum.RoleFunder},
		Summary: "Rapport annuel d'un programme pour l'État et la Région, en " + strings.ToUpper(string(f)) + " : pass utilisés, montants, jeunes atteints, " +
			"part du public cible, par département et par mois, et budget par financeur. L'opérateur lit tous les programmes ; " +
			"un financeur ceux qu'il finance, sous secret statistique (« < 5 » pour un nombre de moins de 5 jeunes, « secret » pour ce qui permettrait de le retrouver)",
		Query:    []queryParam{{Name: "year", Doc: "l'année civile, AAAA, entre l'ouverture du programme et son dernier jour d'encaissement (obligatoire)"}},
		Produces: produces, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND, passnum.EINVALID},
		Handle: serveDocument(func(c *call, tx *store.Tx) (paydoc.Document, error) {
			return paydoc.YearlyReport(c.ctx(), tx, c.actor, c.r.PathValue("id"), c.r.URL.Query().Get("year"), f)
		})}
}

// breakdownChoices are the breakdowns by may name, in a sentence.
var breakdownChoices = strings.Join(store.StatBreakdowns[:len(store.StatBreakdowns)-1], ", ") + " ou " + store.StatBreakdowns[len(store.StatBreakdowns)-1]

// statsMonth reads from or to: a month, or a day taken as its month.
func statsMonth(f *fields, name, v string) string {
	if v == "" {
		return ""
	}
	if t, err := time.Parse("2006-01", v); err == nil {
		return t.Format("2006-01")
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t.Format("2006-01")
	}
	f.Add(name, "mois attendu au format AAAA-MM (par exemple 2026-03)")
	return ""
}

func getStats(c *call) (func(*store.Tx) (any, error), error) {
	q := c.r.URL.Query()
	var f fields
	sq := store.StatsQuery{ProgrammeID: q.Get("programme_id"), By: q.Get("by"), Secret: c.actor.Role == passnum.RoleFunder}
	switch {
	case sq.ProgrammeID == "":
		f.Add("programme_id", "champ obligatoire : l'identifiant du programme")
	case !passnum.ValidID(sq.ProgrammeID):
		return nil, passnum.NotFound("programme")
	}
	sq.From, sq.To = statsMonth(&f, "from", q.Get("from")), statsMonth(&f, "to", q.Get("to"))
	if sq.From != "" && sq.To != "" && sq.To < sq.From {
		f.Add("to", "le dernier mois ("+sq.To+") précède le premier ("+sq.From+") : inversez-les")
	}
	switch {
	case len(q["by"]) > 1:
		// One breakdown a call: the first of several read silently as
		// the only one would answer another question than the one asked.
		f.Add("by", "by est donné "+strconv.Itoa(len(q["by"]))+" fois : un seul détail à la fois ; n'en gardez qu'un, parmi "+breakdownChoices)
	case sq.By != "" && !slices.Contains(store.StatBreakdowns, sq.By):
		f.Add("by", "détail inconnu : "+breakdownChoices)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		if err := visibleProgramme(c, tx, sq.ProgrammeID); err != nil {
			return nil, err
		}
		st, err := tx.ProgrammeStats(c.ctx(), sq)
		if err != nil {
			return nil, err
		}
		return programmeStatsAnswer(st), nil
	}, nil
}

func listDormantBooklets(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	if !c.isOperator() && id != c.actor.OrganisationID {
		return nil, passnum.NotFound("distributeur")
	}
	purpose, err := c.purpose(passnum.ReadSupport)
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		list, err := tx.DormantBooklets(c.ctx(), id)
		// Each line names a young person and how to reach them: a read.
		ids := make([]string, 0, len(list))
		for _, d := range list {
			ids = append(ids, d.BeneficiaryID)
		}
		c.logRead(purpose, passnum.ReadViaAPI, ids...)
		return answers(list, dormantBookletAnswer), err
	}, nil
}

func markCalled(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		d, err := tx.MarkCalled(c.ctx(), c.actor, id, c.ownFilter())
		if err != nil {
			return nil, err
		}
		return dormantBookletAnswer(d), nil
	}, nil
}
