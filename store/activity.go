package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"passnum"
)

// The anonymous activity export: one record per active redemption, in the
// spirit of the national mediators' tools (activity, duration, themes,
// place INSEE code; the person by age band, status, commune and birth
// year). It carries no name, no beneficiary id and no pass code.

// Activity types, as the mediators' tools spell them.
const (
	ActivityIndividual = "Individuel"
	ActivityCollective = "Collectif"
)

// DefaultActivityMinutes is the duration recorded for a redemption that
// names no session: one hour, the usual length of an individual workshop.
const DefaultActivityMinutes = 60

// ActivityFilter chooses the redemptions to export.
type ActivityFilter struct {
	// PlaceID keeps one place's redemptions; empty for all (the operator).
	PlaceID string
	// From and To bound the Paris day of the redemption, both included;
	// zero means unbounded.
	From, To passnum.Date
}

// Activity is one anonymous activity record.
type Activity struct {
	Day             passnum.Date
	Type            string // ActivityIndividual or ActivityCollective
	DurationMinutes int
	PlaceINSEE      string
	Service         string
	AgeBand         string
	Gender          string // never collected: always empty
	SocialStatus    string // "sans emploi" for a job seeker
	CommuneINSEE    string // the beneficiary's commune
	BirthYear       int    // 0 when unknown
}

// ActivityHeader is the header row of the CSV export, in its column order.
var ActivityHeader = []string{"date", "type_activite", "duree_minutes", "code_insee_lieu", "thematique", "tranche_age", "genre", "statut_social", "code_insee_commune_beneficiaire", "annee_naissance"}

// ActivityHeaderCoarse is the header of the anonymous export: the week
// instead of the day, the beneficiary's département instead of their
// commune, no birth year (the age band stays).
var ActivityHeaderCoarse = []string{"semaine", "type_activite", "duree_minutes", "code_insee_lieu", "thematique", "tranche_age", "genre", "statut_social", "departement_beneficiaire"}

// CoarseRecord returns the anonymous export's fields of a, in
// ActivityHeaderCoarse's order: a birth year, a commune and a day single
// out young people in small communes; a département and an ISO week do
// not, in the programme's volumes.
func (a Activity) CoarseRecord() []string {
	year, week := time.Date(a.Day.Year, a.Day.Month, a.Day.Day, 12, 0, 0, 0, time.UTC).ISOWeek()
	return []string{fmt.Sprintf("%04d-W%02d", year, week), a.Type, strconv.Itoa(a.DurationMinutes), a.PlaceINSEE, a.Service, a.AgeBand, a.Gender, a.SocialStatus,
		passnum.DepartementOf(a.CommuneINSEE)}
}

// Record returns the pseudonymous export's fields of a (the operator's
// only), in ActivityHeader's order.
func (a Activity) Record() []string {
	year := ""
	if a.BirthYear > 0 {
		year = strconv.Itoa(a.BirthYear)
	}
	return []string{a.Day.String(), a.Type, strconv.Itoa(a.DurationMinutes), a.PlaceINSEE, a.Service, a.AgeBand, a.Gender, a.SocialStatus, a.CommuneINSEE, year}
}

// AgeBand is the band of the mediators' tools for an age in whole years.
func AgeBand(age int) string {
	switch {
	case age < 18:
		return "moins de 18 ans"
	case age <= 24:
		return "18-24 ans"
	case age <= 39:
		return "25-39 ans"
	case age <= 59:
		return "40-59 ans"
	case age <= 69:
		return "60-69 ans"
	}
	return "70 ans et plus"
}

// Activities calls emit for each active redemption that f selects, oldest
// first, while reading them: the export is streamed, never held whole in
// memory. The age band is the beneficiary's age on the Paris day of the
// redemption, not today.
func (tx *Tx) Activities(ctx context.Context, f ActivityFilter, emit func(Activity) error) error {
	q := `SELECT r.redeemed_at, r.service, COALESCE(s.commune_insee, o.commune_insee, ''),
			se.capacity, t.duration_minutes,
			b.birth_date, COALESCE(b.commune_insee, ''), b.job_seeker
		FROM redemptions r
		JOIN organisations o ON o.id = r.place_id
		JOIN passes ps ON ps.id = r.pass_id
		JOIN booklets bk ON bk.id = ps.booklet_id
		LEFT JOIN beneficiaries b ON b.id = bk.beneficiary_id
		LEFT JOIN sites s ON s.id = r.site_id
		LEFT JOIN sessions se ON se.id = r.session_id
		LEFT JOIN trainings t ON t.id = se.training_id
		WHERE r.status = 'active'`
	var args []any
	if f.PlaceID != "" {
		q += ` AND r.place_id = ?`
		args = append(args, f.PlaceID)
	}
	if !f.From.IsZero() {
		q += ` AND r.redeemed_at >= ?`
		args = append(args, micros(time.Date(f.From.Year, f.From.Month, f.From.Day, 0, 0, 0, 0, passnum.Paris)))
	}
	if !f.To.IsZero() {
		q += ` AND r.redeemed_at < ?`
		args = append(args, micros(f.To.EndInstant()))
	}
	q += ` ORDER BY r.redeemed_at, r.id`
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var at int64
		var a Activity
		var capacity, duration sql.NullInt64
		var birth passnum.Date
		var jobSeeker sql.NullBool
		if err := rows.Scan(&at, &a.Service, &a.PlaceINSEE, &capacity, &duration, &birth, &a.CommuneINSEE, &jobSeeker); err != nil {
			return err
		}
		a.Day = passnum.ParisDate(fromMicros(at))
		a.Type, a.DurationMinutes = ActivityIndividual, DefaultActivityMinutes
		if capacity.Valid && capacity.Int64 > 1 {
			a.Type = ActivityCollective
		}
		if duration.Valid {
			a.DurationMinutes = int(duration.Int64)
		}
		if !birth.IsZero() {
			a.BirthYear = birth.Year
			a.AgeBand = AgeBand(birth.AgeOn(a.Day))
		}
		if jobSeeker.Valid && jobSeeker.Bool {
			a.SocialStatus = "sans emploi"
		}
		if err := emit(a); err != nil {
			return err
		}
	}
	return rows.Err()
}
