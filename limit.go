package passnum

import (
	"fmt"
	"time"
)

// Limit bounds the attempts of one kind that one key (a client address, a
// staff account, a pass holder) may make within a window. The store counts
// each attempt before it is evaluated, in the database, so the bound holds
// whatever the concurrency and however many servers share the database;
// the window starts at the key's first attempt and, once Max is reached,
// the key is refused until the window ends.
type Limit struct {
	// Kind names what is counted; it is part of the counter's key.
	Kind   string
	Max    int
	Window time.Duration
	// refused is what the refused person reads: %s is how long to wait.
	refused string
}

// The limits, in one table: the README's "Security" section lists them.
var (
	// SigninAddressLimit: failed sign-ins (staff password, second factor,
	// beneficiary, password reset requests) from one client address. A
	// success gives its attempt back, so a shared connection (a mission
	// locale's wifi) is not refused for its successes.
	SigninAddressLimit = Limit{Kind: "signin.address", Max: 20, Window: 15 * time.Minute,
		refused: "Trop d'essais infructueux depuis votre connexion : réessayez dans %s. Si vous avez oublié votre mot de passe, demandez un nouveau lien."}
	// StaffAccountLimit: failed passwords on one staff account, from any
	// address. A successful sign-in or a new password (reset link) lifts it.
	StaffAccountLimit = Limit{Kind: "signin.account", Max: 10, Window: 15 * time.Minute,
		refused: "Ce compte est verrouillé pendant %s après trop de mots de passe incorrects. Pour entrer tout de suite, choisissez un nouveau mot de passe avec « Mot de passe oublié » (le lien reçu par courriel lève le verrou), ou adressez-vous à l'opérateur du programme."}
	// SecondFactorLimit: wrong codes (or recovery codes) at one account's
	// second-factor step.
	SecondFactorLimit = Limit{Kind: "signin.factor", Max: 5, Window: 15 * time.Minute,
		refused: "Trop de codes incorrects : la vérification de ce compte est bloquée pendant %s. Si vous avez perdu votre téléphone et vos codes de secours, l'opérateur du programme peut désactiver la double authentification de votre compte."}
	// PassHolderLimit: wrong birth dates for one young person's passes (all the
	// codes of their booklets together), or for one unknown code. A young
	// person sees the birth year and first name of no one; a place sees
	// them for the passes it checks, so the lock is long.
	PassHolderLimit = Limit{Kind: "signin.pass", Max: 5, Window: 24 * time.Hour,
		refused: "Trop d'essais pour ce pass : l'accès à vos pass par cette page est bloqué pendant %s. Votre conseiller ou conseillère à la mission locale ou à l'agence qui vous a remis le carnet peut vérifier la date de naissance enregistrée et débloquer l'accès tout de suite ; vos pass restent utilisables dans les lieux."}
	// ResetAccountLimit: password reset links sent to one address, whatever
	// asks for them, so that nobody floods a mailbox.
	ResetAccountLimit = Limit{Kind: "reset.account", Max: 3, Window: time.Hour,
		refused: "Plusieurs liens ont déjà été envoyés à cette adresse : utilisez le plus récent, ou réessayez dans %s."}
	// DraftAddressLimit: label application drafts started from one address; each
	// sends a message to the address typed.
	DraftAddressLimit = Limit{Kind: "draft.address", Max: 10, Window: 24 * time.Hour,
		refused: "Trop de candidatures commencées depuis votre connexion aujourd'hui : réessayez dans %s, ou reprenez un brouillon avec le lien reçu par courriel."}
	// ApplicationAddressLimit: label applications submitted from one address
	// (API and pages together).
	ApplicationAddressLimit = Limit{Kind: "application.address", Max: 5, Window: 24 * time.Hour,
		refused: "Trop de candidatures déposées depuis votre connexion aujourd'hui : réessayez dans %s, ou écrivez à l'opérateur du programme."}
)

// Limits lists every limit, for the documentation and its test.
func Limits() []Limit {
	return []Limit{SigninAddressLimit, StaffAccountLimit, SecondFactorLimit, PassHolderLimit, ResetAccountLimit, DraftAddressLimit, ApplicationAddressLimit}
}

// Refusal is the too_many_attempts error for a key refused until until.
func (l Limit) Refusal(now, until time.Time) *Error {
	wait := until.Sub(now)
	if wait < time.Second {
		wait = time.Second
	}
	e := Errorf(ETOOMANYATTEMPTS, l.refused, WaitFR(wait))
	e.RetryAfter = wait
	e.Extra = map[string]any{"limit": l.Kind}
	return e
}

// WaitFR says a wait in French words, rounded up: "une minute",
// "12 minutes", "3 heures".
func WaitFR(d time.Duration) string {
	m := int((d + time.Minute - 1) / time.Minute)
	switch {
	case m <= 1:
		return "une minute"
	case m < 120:
		return fmt.Sprintf("%d minutes", m)
	}
	h := (m + 59) / 60
	return fmt.Sprintf("%d heures", h)
}
