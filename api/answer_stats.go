package api

import (
	"time"

	"passnum/store"
)

// The API's answer shapes for the programme dashboards, the dormant
// booklets and the effect of reminders: the JSON of the store's read
// models of the same names (see there what each figure means).

// ProgrammeStats answers GET /stats: store.ProgrammeStats.
type ProgrammeStats struct {
	ProgrammeID    string         `json:"programme_id"`
	ProgrammeName  string         `json:"programme_name"`
	From           string         `json:"from,omitempty"`
	To             string         `json:"to,omitempty"`
	By             string         `json:"by,omitempty"`
	FaceValueCents int64          `json:"face_value_cents"`
	BookletSize    int            `json:"booklet_size"`
	Ended          bool           `json:"ended"`
	Total          StatFigures    `json:"total"`
	Cells          []StatCell     `json:"cells"`
	Months         []StatMonth    `json:"months"`
	Budget         []FunderBudget `json:"budget"`
	Masked         []string       `json:"masked" doc:"pour un financeur, les cases et les chiffres que le secret statistique masque (null) : une case de moins de 5 jeunes, et ce qui permettrait de la retrouver par soustraction, dans le tableau, entre les détails de la même année (un département et ses communes, une agence et les communes qu'elle seule sert) et d'un mois au suivant (un chiffre qui a changé de 1 à 4 jeunes depuis sa dernière publication) ; « clé » pour la case entière, « clé:chiffre » pour un chiffre"`
	PublishedAt    *time.Time     `json:"published_at" doc:"pour un financeur, quand les chiffres ont été calculés : ils sont publiés une fois par mois, les mêmes à chaque lecture du mois, pour que deux lectures rapprochées ne révèlent pas ce qu'a fait un jeune ; le budget reste à jour (null pour l'opérateur, qui lit les chiffres à jour)"`
}

// StatFigures are the figures of a programme or of one cell: null when
// they do not apply or statistical secrecy masks them.
type StatFigures struct {
	PassesIssued      *int64   `json:"passes_issued"`
	PassesAllocated   *int64   `json:"passes_allocated"`
	BookletsHandedOut *int64   `json:"booklets_handed_out"`
	PassesHandedOut   *int64   `json:"passes_handed_out"`
	BookletsReplaced  *int64   `json:"booklets_replaced"`
	TargetPublic      *int64   `json:"target_public"`
	TargetShare       *float64 `json:"target_share"`
	BookletsStarted   *int64   `json:"booklets_started"`
	BookletsCompleted *int64   `json:"booklets_completed"`
	PassesUsed        *int64   `json:"passes_used"`
	AmountUsedCents   *int64   `json:"amount_used_cents"`
	UseRate           *float64 `json:"use_rate"`
	PassesExpired     *int64   `json:"passes_expired"`
	// FirstUseMedianDays is the first day of the first_use bucket the
	// median wait falls in: waits are counted by bucket.
	FirstUseMedianDays *int64           `json:"first_use_median_days"`
	FirstUse           []FirstUseBucket `json:"first_use"`
}

// FirstUseBucket is one bucket of the wait from hand-out to first use.
type FirstUseBucket struct {
	FromDays int    `json:"from_days"`
	Label    string `json:"label"`
	Booklets *int64 `json:"booklets"`
}

// StatCell is one cell of a breakdown: its key, its name and its figures.
type StatCell struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	StatFigures
}

// StatMonth is one month's uses.
type StatMonth struct {
	Month           string `json:"month"`
	PassesUsed      *int64 `json:"passes_used"`
	AmountUsedCents *int64 `json:"amount_used_cents"`
}

// FunderBudget is one funder's share of the money.
type FunderBudget struct {
	OrganisationID string `json:"organisation_id"`
	Name           string `json:"name"`
	ShareBps       int64  `json:"share_bps"`
	BudgetCents    *int64 `json:"budget_cents"`
	EngagedCents   int64  `json:"engaged_cents"`
	SettledCents   int64  `json:"settled_cents"`
	PaidCents      int64  `json:"paid_cents"`
	LeftCents      *int64 `json:"left_cents"`
}

func programmeStatsAnswer(s store.ProgrammeStats) ProgrammeStats {
	return ProgrammeStats{
		ProgrammeID: s.ProgrammeID, ProgrammeName: s.ProgrammeName,
		From: s.From, To: s.To, By: s.By,
		FaceValueCents: s.FaceValueCents, BookletSize: s.BookletSize, Ended: s.Ended,
		Total: statFiguresAnswer(s.Total),
		Cells: answers(s.Cells, func(c store.StatCell) StatCell {
			return StatCell{Key: c.Key, Label: c.Label, StatFigures: statFiguresAnswer(c.StatFigures)}
		}),
		Months:      answers(s.Months, func(m store.StatMonth) StatMonth { return StatMonth(m) }),
		Budget:      answers(s.Budget, func(b store.FunderBudget) FunderBudget { return FunderBudget(b) }),
		Masked:      s.Masked,
		PublishedAt: s.PublishedAt,
	}
}

func statFiguresAnswer(f store.StatFigures) StatFigures {
	return StatFigures{
		PassesIssued: f.PassesIssued, PassesAllocated: f.PassesAllocated,
		BookletsHandedOut: f.BookletsHandedOut, PassesHandedOut: f.PassesHandedOut, BookletsReplaced: f.BookletsReplaced,
		TargetPublic: f.TargetPublic, TargetShare: f.TargetShare,
		BookletsStarted: f.BookletsStarted, BookletsCompleted: f.BookletsCompleted,
		PassesUsed: f.PassesUsed, AmountUsedCents: f.AmountUsedCents, UseRate: f.UseRate,
		PassesExpired:      f.PassesExpired,
		FirstUseMedianDays: f.FirstUseMedianDays,
		FirstUse:           answers(f.FirstUse, func(b store.FirstUseBucket) FirstUseBucket { return FirstUseBucket(b) }),
	}
}

// DormantBooklet is a booklet handed out long ago and never used, with how
// to reach its holder: store.DormantBooklet.
type DormantBooklet struct {
	BookletID      string     `json:"booklet_id"`
	ProgrammeID    string     `json:"programme_id"`
	ProgrammeName  string     `json:"programme_name"`
	BeneficiaryID  string     `json:"beneficiary_id"`
	FirstName      string     `json:"first_name"`
	LastName       string     `json:"last_name"`
	HandedOutAt    time.Time  `json:"handed_out_at"`
	DaysDormant    int        `json:"days_dormant"`
	CalledAt       *time.Time `json:"called_at"`
	Email          string     `json:"email"`
	Phone          string     `json:"phone"`
	LastReminderAt *time.Time `json:"last_reminder_at"`
}

func dormantBookletAnswer(d store.DormantBooklet) DormantBooklet { return DormantBooklet(d) }

// ReminderEffect answers whether reminding pushes use up:
// store.ReminderEffect.
type ReminderEffect struct {
	ProgrammeID             string   `json:"programme_id"`
	DormantDays             int      `json:"dormant_days" doc:"jours sans pass utilisé après lesquels un carnet dort (réglage du programme)"`
	Through                 string   `json:"through" doc:"dernier mois de remise (AAAA-MM) compté : les carnets remis jusqu'à la fin de ce mois ont tous passé leurs jours de sommeil ; vide tant qu'aucun mois du programme ne les a passés"`
	RecentSince             string   `json:"recent_since" doc:"premier mois (AAAA-MM) des relances trop récentes pour en juger (le mois dernier et celui-ci), comptées à part ; vide quand aucune ne peut plus l'être (programme fini avant le mois dernier)"`
	Reminded                *int64   `json:"reminded" doc:"carnets endormis dont le jeune a reçu une première relance avant recent_since ; null si masqué"`
	RemindedStarted         *int64   `json:"reminded_started" doc:"parmi eux, carnets commencés depuis ; null si masqué"`
	RecentlyReminded        *int64   `json:"recently_reminded" doc:"carnets endormis relancés pour la première fois depuis recent_since ; null si masqué"`
	RecentlyRemindedStarted *int64   `json:"recently_reminded_started" doc:"parmi eux, carnets commencés depuis ; null si masqué"`
	NotReminded             *int64   `json:"not_reminded" doc:"carnets endormis jamais relancés ; null si masqué"`
	NotRemindedStarted      *int64   `json:"not_reminded_started" doc:"parmi eux, carnets commencés après leurs jours de sommeil ; null si masqué"`
	SentDormant             *int64   `json:"sent_dormant" doc:"relances envoyées parce que le carnet dormait, tous mois de remise confondus ; null si masqué"`
	SentEnding              *int64   `json:"sent_ending" doc:"rappels envoyés parce que les pass expirent dans les 30 jours ; null si masqué"`
	SentEmail               *int64   `json:"sent_email" doc:"rappels et relances envoyés par e-mail ; null si masqué"`
	SentSMS                 *int64   `json:"sent_sms" doc:"rappels et relances envoyés par SMS ; null si masqué"`
	Masked                  []string `json:"masked" doc:"pour un financeur, les chiffres que le secret statistique masque (null) : moins de 5 personnes, avec ce qui permettrait de les retrouver ; les six chiffres des carnets endormis le sont ensemble, les envois par paire (motif, canal)"`
}
