package passnum

import (
	"database/sql/driver"
	"strings"
	"time"
	"unicode/utf8"
)

// Training levels: the catalogue's own enumeration.
const (
	LevelAll          = "Tous niveaux"
	LevelBeginner     = "Débutant"
	LevelIntermediate = "Intermédiaire"
	LevelAdvanced     = "Confirmé"
)

// TrainingLevels lists the accepted levels, in the order forms show them.
var TrainingLevels = []string{LevelAll, LevelBeginner, LevelIntermediate, LevelAdvanced}

// Bounds of the catalogue's values.
const (
	MaxTrainingMinutes = 7 * 24 * 60
	MaxPassesCost      = 20
	MaxSessionCapacity = 1000
	MaxSessionLength   = 7 * 24 * time.Hour
	// MaxSessionAhead keeps sessions within a plausible horizon.
	MaxSessionAhead = 2 * 366 * 24 * time.Hour
)

// Training is a training a place publishes in its catalogue. It is never
// deleted: a training no longer offered is deactivated.
type Training struct {
	ID              string    `json:"id"`
	PlaceID         string    `json:"place_id"`
	Title           string    `json:"title"`
	Service         string    `json:"service"`
	Level           string    `json:"level"`
	DurationMinutes int       `json:"duration_minutes"`
	PassesCost      int       `json:"passes_cost"`
	Description     string    `json:"description"`
	Active          bool      `json:"active"`
	CreatedAt       time.Time `json:"created_at"`
}

// Validate checks a training before it is published, and fills defaults:
// one pass, all levels.
func (t *Training) Validate() error {
	var fe FieldErrors
	t.Title = strings.TrimSpace(t.Title)
	t.Description = strings.TrimSpace(t.Description)
	if t.Title == "" || utf8.RuneCountInString(t.Title) > 200 {
		fe.Add("title", "intitulé obligatoire, 200 caractères au plus")
	} else if msg := TextProblem(t.Title, false); msg != "" {
		fe.Add("title", msg)
	}
	if !ValidService(t.Service) {
		fe.Add("service", "service inconnu : choisissez un service du référentiel national (par exemple « Maîtrise des outils numériques du quotidien »)")
	}
	if t.Level == "" {
		t.Level = LevelAll
	}
	if !ValidLevel(t.Level) {
		fe.Add("level", "niveau inconnu : choisissez parmi « "+strings.Join(TrainingLevels, " », « ")+" »")
	}
	if t.DurationMinutes < 1 || t.DurationMinutes > MaxTrainingMinutes {
		fe.Add("duration_minutes", "durée en minutes, entre 1 et 10080 (une semaine)")
	}
	if t.PassesCost == 0 {
		t.PassesCost = 1
	}
	if t.PassesCost < 1 || t.PassesCost > MaxPassesCost {
		fe.Add("passes_cost", "nombre de pass demandés pour la formation, entre 1 et 20 (1 par défaut)")
	}
	if utf8.RuneCountInString(t.Description) > 4000 {
		fe.Add("description", "4000 caractères au plus")
	} else if msg := TextProblem(t.Description, true); msg != "" {
		fe.Add("description", msg)
	}
	return fe.Err()
}

// ValidLevel reports whether s is a catalogue level.
func ValidLevel(s string) bool {
	for _, l := range TrainingLevels {
		if l == s {
			return true
		}
	}
	return false
}

// SessionStatus is where a training session stands.
type SessionStatus string

// Session statuses: scheduled until the place cancels it (its bookings are
// then cancelled too); a cancelled session never comes back.
const (
	SessionScheduled SessionStatus = "scheduled"
	SessionCancelled SessionStatus = "cancelled"
)

// SessionStatuses lists the statuses in their order.
var SessionStatuses = []SessionStatus{SessionScheduled, SessionCancelled}

// Valid reports whether s is a known status.
func (s SessionStatus) Valid() bool { return oneOf(s, SessionStatuses) }

// CanBecome reports whether a session in status s may move to next: a
// scheduled session may be cancelled, and nothing else.
func (s SessionStatus) CanBecome(next SessionStatus) bool {
	return s == SessionScheduled && next == SessionCancelled
}

// Value stores the status.
func (s SessionStatus) Value() (driver.Value, error) { return string(s), nil }

// Scan reads a stored status and refuses an unknown one.
func (s *SessionStatus) Scan(src any) error {
	v, err := scanStatus(src, SessionStatus.Valid, "de session")
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Session is a dated occurrence of a training at one of the place's sites,
// with a number of seats.
type Session struct {
	ID         string        `json:"id"`
	TrainingID string        `json:"training_id"`
	Title      string        `json:"training_title"`
	PlaceID    string        `json:"place_id"`
	SiteID     string        `json:"site_id"`
	SiteName   string        `json:"site_name"`
	Commune    string        `json:"commune_insee"`
	StartsAt   time.Time     `json:"starts_at"`
	EndsAt     time.Time     `json:"ends_at"`
	Capacity   int           `json:"capacity"`
	Booked     int           `json:"booked"`
	SeatsLeft  int           `json:"seats_left"`
	Status     SessionStatus `json:"status" enum:"scheduled,cancelled"`
	CreatedAt  time.Time     `json:"created_at"`
}

// NewSession is what a place submits to schedule a session.
type NewSession struct {
	SiteID   string
	StartsAt time.Time
	EndsAt   time.Time
	Capacity int
}

// Validate checks a session scheduled at instant now: it starts in the
// future, ends after it starts, and has at least one seat.
func (n *NewSession) Validate(now time.Time) error {
	var fe FieldErrors
	if !ValidID(n.SiteID) {
		fe.Add("site_id", "site inconnu : indiquez l'identifiant d'un de vos sites (points de présence)")
	}
	switch {
	case n.StartsAt.IsZero():
		fe.Add("starts_at", "début obligatoire (date et heure, par exemple 2026-04-02T14:00:00+02:00)")
	case !n.StartsAt.After(now):
		fe.Add("starts_at", "la session doit commencer dans le futur")
	case n.StartsAt.After(now.Add(MaxSessionAhead)):
		fe.Add("starts_at", "la session doit commencer dans les deux ans à venir")
	}
	switch {
	case n.EndsAt.IsZero():
		fe.Add("ends_at", "fin obligatoire (date et heure)")
	case !n.StartsAt.IsZero() && !n.EndsAt.After(n.StartsAt):
		fe.Add("ends_at", "la fin doit suivre le début")
	case !n.StartsAt.IsZero() && n.EndsAt.Sub(n.StartsAt) > MaxSessionLength:
		fe.Add("ends_at", "une session dure une semaine au plus : découpez-la en plusieurs sessions")
	}
	if n.Capacity < 1 || n.Capacity > MaxSessionCapacity {
		fe.Add("capacity", "nombre de places entre 1 et 1000")
	}
	return fe.Err()
}

// BookingStatus is where a seat booked in a session stands.
type BookingStatus string

// Booking statuses: booked until the distributor or the place cancels it
// (or its session is cancelled); a cancelled booking never comes back.
const (
	BookingBooked    BookingStatus = "booked"
	BookingCancelled BookingStatus = "cancelled"
)

// BookingStatuses lists the statuses in their order.
var BookingStatuses = []BookingStatus{BookingBooked, BookingCancelled}

// Valid reports whether s is a known status.
func (s BookingStatus) Valid() bool { return oneOf(s, BookingStatuses) }

// CanBecome reports whether a booking in status s may move to next: a
// booked seat may be cancelled, and nothing else.
func (s BookingStatus) CanBecome(next BookingStatus) bool {
	return s == BookingBooked && next == BookingCancelled
}

// Value stores the status.
func (s BookingStatus) Value() (driver.Value, error) { return string(s), nil }

// Scan reads a stored status and refuses an unknown one.
func (s *BookingStatus) Scan(src any) error {
	v, err := scanStatus(src, BookingStatus.Valid, "de réservation")
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Booking is a beneficiary's seat in a session, made by their distributor.
type Booking struct {
	ID            string        `json:"id"`
	SessionID     string        `json:"session_id"`
	BeneficiaryID string        `json:"beneficiary_id"`
	Status        BookingStatus `json:"status" enum:"booked,cancelled"`
	TrainingID    string        `json:"training_id"`
	TrainingTitle string        `json:"training_title"`
	PlaceID       string        `json:"place_id"`
	StartsAt      time.Time     `json:"starts_at"`
	CreatedAt     time.Time     `json:"created_at"`
	CancelledAt   *time.Time    `json:"cancelled_at,omitempty"`
}

// Attendee is what a place sees of a booked beneficiary: enough to greet
// them and to know whether they can pay with passes, nothing more.
type Attendee struct {
	BookingID       string    `json:"booking_id"`
	FirstName       string    `json:"first_name"`
	BirthYear       int       `json:"birth_year"`
	HasUnusedPasses bool      `json:"has_unused_passes"`
	UnusedPasses    int       `json:"unused_passes"`
	BookedAt        time.Time `json:"booked_at"`
}
