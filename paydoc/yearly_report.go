package paydoc

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"passnum"
	"passnum/document"
	"passnum/store"
)

// YearlyReport is a programme's yearly report for the State and the Région
// (PDF or XLSX): the year's figures from the statistics' counters, per
// département and per month, and the funders' budget. The operator reads
// every programme's, unmasked; a funder those of the programmes it funds,
// under statistical secrecy. year is as typed ("2026"); a year outside the
// programme is refused with the years it covers.
func YearlyReport(ctx context.Context, tx *store.Tx, who passnum.Actor, programmeID, year string, f Format) (Document, error) {
	if f != PDF && f != XLSX {
		return Document{}, notFound("rapport annuel")
	}
	ok, err := canReadProgramme(ctx, tx, who, programmeID)
	if err != nil {
		return Document{}, err
	}
	if !ok {
		return Document{}, notFound("programme")
	}
	p, err := tx.Programme(ctx, programmeID)
	if err != nil {
		return Document{}, err
	}
	secret := who.Role != passnum.RoleOperator
	y, err := passnum.ParseReportYear(year, &p)
	if secret {
		y, err = passnum.ParseFunderReportYear(year, &p, tx.Today())
	}
	if err != nil {
		return Document{}, err
	}
	ys := strconv.Itoa(y)
	st, err := tx.ProgrammeStats(ctx, store.StatsQuery{ProgrammeID: programmeID, From: ys + "-01", To: ys + "-12", By: "departement", Secret: secret})
	if err != nil {
		return Document{}, err
	}
	audience := "Opérateur du programme"
	if secret {
		org, err := tx.Organisation(ctx, who.OrganisationID)
		if err != nil {
			return Document{}, err
		}
		audience = org.Name
	}
	r := yearlyReportOf(st, y, audience, secret)
	r.GeneratedAt, r.PublishedAt = tx.Now(), st.PublishedAt
	d := Document{Name: fileName(f, "rapport-annuel", ys, slug(p.Name)), Format: f}
	d.write = func(w io.Writer) error {
		if f == XLSX {
			return document.YearlyReportXLSX(w, r)
		}
		return document.YearlyReportPDF(w, r)
	}
	return d, nil
}

// yearlyReportOf turns the year's statistics into the report's rows: every
// month of the year (a month without use reads 0), the départements in the
// statistics' order.
func yearlyReportOf(st store.ProgrammeStats, year int, audience string, secret bool) document.YearlyReport {
	r := document.YearlyReport{ProgrammeName: st.ProgrammeName, Year: year, Audience: audience, Secret: secret,
		Total: yearRow("Total", "total", st.Total, &st)}
	for _, c := range st.Cells {
		// The label names the département with its code already
		// ("Doubs (25)").
		r.Departements = append(r.Departements, yearRow(c.Label, c.Key, c.StatFigures, &st))
	}
	months := map[string]store.StatMonth{}
	for _, m := range st.Months {
		months[m.Month] = m
	}
	for mo := 1; mo <= 12; mo++ {
		key := fmt.Sprintf("%d-%02d", year, mo)
		m := months[key]
		r.Months = append(r.Months, document.YearRow{Label: passnum.MonthLabel(key), Masked: st.Hides("month "+key, ""),
			PassesUsed: deref(m.PassesUsed), AmountCents: deref(m.AmountUsedCents)})
	}
	for _, b := range st.Budget {
		r.Budget = append(r.Budget, document.YearBudget{Name: b.Name, ShareBps: b.ShareBps, BudgetCents: b.BudgetCents,
			EngagedCents: b.EngagedCents, SettledCents: b.SettledCents, PaidCents: b.PaidCents, LeftCents: b.LeftCents})
	}
	return r
}

// yearRow is cell's row (a département's code, or "total"), masked whole
// or figure by figure as the statistics st say.
func yearRow(label, cell string, f store.StatFigures, st *store.ProgrammeStats) document.YearRow {
	figure := func(fig string) bool { return st.Hides(store.FigureMasked(cell, fig), "") }
	return document.YearRow{Label: label, Masked: st.Hides(cell, ""), Small: st.Small(cell, ""),
		StartedMasked: figure("booklets_started"), StartedSmall: st.Small(cell, "booklets_started"),
		TargetMasked: figure("target_public"), UsedMasked: figure("passes_used"), HandedOutMasked: figure(store.FigHandedOut), HandedOut: deref(f.BookletsHandedOut), Started: deref(f.BookletsStarted),
		TargetShare: f.TargetShare, UseRate: f.UseRate, PassesUsed: deref(f.PassesUsed), AmountCents: deref(f.AmountUsedCents)}
}

func deref(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}
