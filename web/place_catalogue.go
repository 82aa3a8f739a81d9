package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"passnum"
	"passnum/store"
)

// The place's catalogue: its trainings, their dated sessions, and who
// booked a seat.

// lieuDiarySize is how many upcoming sessions the catalogue lists.
const lieuDiarySize = 100

type lieuTrainingsView struct {
	Sites []passnum.Site
	// Upcoming are the place's sessions by date, whatever the training:
	// its diary. UpcomingMore says that later ones are not listed.
	Upcoming     []passnum.Session
	UpcomingMore bool
	Active       []lieuTrainingItem
	Inactive     []passnum.Training
	// Fields of the new training form.
	Service, Level field
}

type lieuTrainingItem struct {
	passnum.Training
	// Sessions counts its upcoming sessions.
	Sessions int
	// Form is the new session form of this training.
	Form *form
	Site *field
}

func lieuTrainingsPage(q *request) error {
	return lieuTrainings(q, http.StatusOK, &form{Values: url.Values{"passes_cost": {"1"}, "level": {passnum.LevelAll}}}, "", nil)
}

// lieuTrainings draws the catalogue: f is the new training form, and
// sessionForm the new session form of training failedID, when it was
// refused.
func lieuTrainings(q *request, status int, f *form, failedID string, sessionForm *form) error {
	v := lieuTrainingsView{}
	if err := q.view(func(tx *store.Tx) error {
		var err error
		if v.Sites, err = tx.PlaceSites(q.ctx(), q.org()); err != nil {
			return err
		}
		var next string
		if v.Upcoming, next, err = tx.PlaceSessions(q.ctx(), q.org(), store.SessionWindow{}, store.Page{Limit: lieuDiarySize}); err != nil {
			return err
		}
		v.UpcomingMore = next != ""
		all, _, err := tx.ListTrainings(q.ctx(), q.org(), true, store.Page{Limit: store.MaxPageSize})
		if err != nil {
			return err
		}
		for _, t := range all {
			if !t.Active {
				v.Inactive = append(v.Inactive, t)
				continue
			}
			item := lieuTrainingItem{Training: t, Form: &form{Values: url.Values{}, Errors: map[string]string{}}}
			if t.ID == failedID && sessionForm != nil {
				item.Form = sessionForm
			}
			for _, se := range v.Upcoming {
				if se.TrainingID == t.ID {
					item.Sessions++
				}
			}
			if len(v.Sites) > 1 {
				opts := []option{{"", "Choisissez le site"}}
				for _, s := range v.Sites {
					opts = append(opts, option{s.ID, s.Name + " (" + s.CommuneName + ")"})
				}
				item.Site = &field{Form: item.Form, Name: "site_id", Label: "Site", Type: "select", ID: "s-" + t.ID + "-site", Required: true, Options: opts, Extra: map[string]string{}}
			}
			v.Active = append(v.Active, item)
		}
		return nil
	}); err != nil {
		return err
	}
	services := []option{{"", "Choisissez un service"}}
	for _, s := range passnum.NationalServices {
		services = append(services, option{s, s})
	}
	levels := []option{}
	for _, l := range passnum.TrainingLevels {
		levels = append(levels, option{l, l})
	}
	v.Service = field{Form: f, Name: "service", Label: "Service du référentiel national", Type: "select", ID: "f-service", Required: true, Options: services, Extra: map[string]string{}}
	v.Level = field{Form: f, Name: "level", Label: "Niveau", Type: "select", ID: "f-level", Options: levels, Extra: map[string]string{}}
	return q.render(status, "place/trainings", "Formations", v, f)
}

// lieuInt reads a whole number typed in a form; empty is zero.
func lieuInt(fe *passnum.FieldErrors, name, s, detail string) int {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		fe.Add(name, detail)
	}
	return n
}

func lieuCreateTraining(q *request) error {
	f := newForm(q.r)
	var fe passnum.FieldErrors
	t := passnum.Training{Title: f.Get("title"), Service: f.Get("service"), Level: f.Get("level"), Description: f.Get("description")}
	t.DurationMinutes = lieuInt(&fe, "duration_minutes", f.Get("duration_minutes"), "durée en minutes, nombre entier (par exemple 120 pour 2 heures)")
	t.PassesCost = lieuInt(&fe, "passes_cost", f.Get("passes_cost"), "nombre de pass, nombre entier entre 1 et 20")
	err := fe.Err()
	if err == nil {
		err = q.write(func(tx *store.Tx) error {
			var err error
			t, err = tx.CreateTraining(q.ctx(), q.actor(), t)
			return err
		})
	}
	if err == nil {
		return q.redirect("/lieu/formations", "Formation « "+t.Title+" » publiée dans votre catalogue : programmez-en maintenant les sessions.")
	}
	if !f.Fail(err) {
		return err
	}
	return lieuTrainings(q, lieuStatusOf(err), f, "", nil)
}

func lieuDeactivateTraining(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	f := newForm(q.r)
	var t passnum.Training
	if err := q.write(func(tx *store.Tx) error {
		if _, err := tx.Training(q.ctx(), id, q.org()); err != nil {
			return err
		}
		var err error
		t, err = tx.DeactivateTraining(q.ctx(), q.actor(), id, f.Get("reason"))
		return err
	}); err != nil {
		return err
	}
	return q.redirect("/lieu/formations", "Formation « "+t.Title+" » retirée du catalogue. Ses sessions déjà programmées restent, jusqu'à ce que vous les annuliez.")
}

// lieuClock reads a time of day as people type it (14:00, 14h, 14 h 30).
func lieuClock(fe *passnum.FieldErrors, name, s string) (int, int) {
	m, err := passnum.ParseClock(s, false)
	if err != nil {
		fe.Add(name, err.Error())
		return 0, 0
	}
	return m / 60, m % 60
}

func lieuCreateSession(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	f := newForm(q.r)
	var fe passnum.FieldErrors
	n := passnum.NewSession{SiteID: f.Get("site_id")}
	day, derr := parseFrenchDate("date", f.Get("date"))
	if derr != nil {
		var pe *passnum.Error
		if errors.As(derr, &pe) {
			fe = append(fe, pe.Fields...)
		}
	}
	sh, sm := lieuClock(&fe, "debut", f.Get("debut"))
	eh, em := lieuClock(&fe, "fin", f.Get("fin"))
	n.Capacity = lieuInt(&fe, "capacity", f.Get("capacity"), "nombre de places, nombre entier entre 1 et 1000")
	if derr == nil {
		n.StartsAt = time.Date(day.Year, day.Month, day.Day, sh, sm, 0, 0, passnum.Paris)
		n.EndsAt = time.Date(day.Year, day.Month, day.Day, eh, em, 0, 0, passnum.Paris)
	}
	err = q.write(func(tx *store.Tx) error {
		// Another place's training is not found, whatever the form says.
		if _, err := tx.Training(q.ctx(), id, q.org()); err != nil {
			return err
		}
		if n.SiteID == "" {
			sites, err := tx.PlaceSites(q.ctx(), q.org())
			if err != nil {
				return err
			}
			if len(sites) == 1 {
				n.SiteID = sites[0].ID
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		_, err := tx.CreateSession(q.ctx(), q.actor(), id, n)
		return err
	})
	if err == nil {
		return q.redirect("/lieu/formations", "Session programmée le "+frDate(n.StartsAt)+" à "+n.StartsAt.In(passnum.Paris).Format("15h04")+".")
	}
	if passnum.ErrorCode(err) == passnum.ENOTFOUND || !f.Fail(err, "starts_at", "debut", "ends_at", "fin") {
		return err
	}
	return lieuTrainings(q, lieuStatusOf(err), &form{Values: url.Values{"passes_cost": {"1"}, "level": {passnum.LevelAll}}}, id, f)
}

type lieuSessionView struct {
	Session     passnum.Session
	Attendees   []passnum.Attendee
	Cancellable bool
}

func lieuSessionPage(q *request) error {
	return lieuSession(q, http.StatusOK, nil)
}

func lieuSession(q *request, status int, f *form) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	var v lieuSessionView
	if err := q.view(func(tx *store.Tx) error {
		var err error
		if v.Session, err = tx.Session(q.ctx(), id, q.org()); err != nil {
			return err
		}
		v.Attendees, err = tx.SessionAttendees(q.ctx(), id, q.org())
		v.Cancellable = v.Session.Status == passnum.SessionScheduled && v.Session.StartsAt.After(tx.Now())
		return err
	}); err != nil {
		return err
	}
	return q.render(status, "place/session", "Session du "+frDate(v.Session.StartsAt), v, f)
}

func lieuCancelSession(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	f := newForm(q.r)
	var se passnum.Session
	err = q.write(func(tx *store.Tx) error {
		var err error
		se, err = tx.CancelSession(q.ctx(), q.actor(), id, f.Get("reason"))
		return err
	})
	if err == nil {
		return q.redirect("/lieu/formations", "Session « "+se.Title+" » du "+frDate(se.StartsAt)+" annulée : les inscriptions sont annulées et le motif est communiqué aux personnes inscrites.")
	}
	if passnum.ErrorCode(err) == passnum.ENOTFOUND || !f.Fail(err) {
		return err
	}
	return lieuSession(q, lieuStatusOf(err), f)
}
