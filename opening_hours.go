package passnum

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// OpeningHours is the parsed form of an OpenStreetMap opening_hours text,
// the syntax the open-data standard asks for its `horaires` column. The
// common subset is understood: weekdays and their ranges, public and school
// holidays (PH, SH), time ranges and lists, open ends, "off", "24/7",
// comments, and several rules separated by ";" (or "," before a weekday,
// or "||" for a fallback). Month, week, year and sun-based selectors are
// refused with a message, rather than half understood.
type OpeningHours struct {
	Rules []OpeningRule
}

// OpeningRule is one rule: the days it selects, then its times.
type OpeningRule struct {
	// Weekdays is a bit set indexed by time.Weekday (bit 0 is Sunday).
	// Empty with no holiday selector means every day.
	Weekdays       uint8
	PublicHolidays bool // PH
	SchoolHolidays bool // SH
	Spans          []TimeSpan
	// Closed is "off"/"closed"; Unknown is "unknown".
	Closed  bool
	Unknown bool
	Comment string
	// Additional is a rule joined to the previous one by ",": it adds to it
	// rather than replacing it. Fallback is joined by "||".
	Additional bool
	Fallback   bool
}

// TimeSpan is an opening time in minutes from midnight. End may pass 24:00
// (up to 48:00) for a span running past midnight; OpenEnd is "10:00+".
type TimeSpan struct {
	Start, End int
	OpenEnd    bool
}

// Has reports whether the rule selects day d (weekdays only; holidays are
// not known here).
func (r OpeningRule) Has(d time.Weekday) bool {
	if r.Weekdays == 0 && !r.PublicHolidays && !r.SchoolHolidays {
		return true
	}
	return r.Weekdays&(1<<uint(d)) != 0
}

const hoursExample = "« Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00; PH off »"

var osmWeekdays = map[string]time.Weekday{
	"mo": time.Monday, "tu": time.Tuesday, "we": time.Wednesday, "th": time.Thursday,
	"fr": time.Friday, "sa": time.Saturday, "su": time.Sunday,
}

// French day names and what users type instead of the OSM syntax, so that
// the refusal says what to write.
var hoursFrenchWords = map[string]string{
	"lundi": "Mo", "mardi": "Tu", "mercredi": "We", "jeudi": "Th", "vendredi": "Fr", "samedi": "Sa", "dimanche": "Su",
	"lun": "Mo", "mar": "Tu", "mer": "We", "jeu": "Th", "ven": "Fr", "sam": "Sa", "dim": "Su",
	"ferme": "off", "fermé": "off", "ouvert": "open", "feries": "PH", "fériés": "PH",
}

var hoursUnsupported = map[string]string{
	"jan": "mois", "feb": "mois", "mar": "mois", "apr": "mois", "may": "mois", "jun": "mois",
	"jul": "mois", "aug": "mois", "sep": "mois", "oct": "mois", "nov": "mois", "dec": "mois",
	"week": "semaines", "easter": "Pâques",
	"sunrise": "soleil", "sunset": "soleil", "dawn": "soleil", "dusk": "soleil",
}

// ParseOpeningHours reads an OpenStreetMap opening_hours text. The error,
// in French, says where the text stops being understood and what to write.
func ParseOpeningHours(s string) (OpeningHours, error) {
	p := &hoursParser{src: s}
	h, err := p.parse()
	if err != nil {
		return OpeningHours{}, err
	}
	return h, nil
}

type hoursParser struct {
	src string
	pos int
}

func (p *hoursParser) fail(format string, args ...any) error {
	return fmt.Errorf("%s (format OpenStreetMap attendu, par exemple %s)", fmt.Sprintf(format, args...), hoursExample)
}

func (p *hoursParser) skipSpaces() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

func (p *hoursParser) eof() bool {
	p.skipSpaces()
	return p.pos >= len(p.src)
}

func (p *hoursParser) peek() byte {
	if p.pos >= len(p.src) {
		return 0
	}
	return p.src[p.pos]
}

// word returns the run of letters at the current position, without moving.
func (p *hoursParser) word() string {
	i := p.pos
	for i < len(p.src) {
		c := p.src[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80 {
			i++
			continue
		}
		break
	}
	return p.src[p.pos:i]
}

func (p *hoursParser) parse() (OpeningHours, error) {
	var h OpeningHours
	if strings.TrimSpace(p.src) == "" {
		return h, p.fail("le texte est vide")
	}
	for _, r := range p.src {
		if r == '\n' || r == '\r' {
			return h, p.fail("les horaires tiennent sur une seule ligne ; séparez les règles par « ; »")
		}
	}
	additional, fallback := false, false
	for {
		r, err := p.rule()
		if err != nil {
			return h, err
		}
		r.Additional, r.Fallback = additional, fallback
		h.Rules = append(h.Rules, r)
		additional, fallback = false, false
		if p.eof() {
			return h, nil
		}
		switch {
		case p.peek() == ';':
			p.pos++
		case strings.HasPrefix(p.src[p.pos:], "||"):
			p.pos += 2
			fallback = true
		case p.peek() == ',':
			p.pos++
			additional = true
		default:
			return h, p.unexpected()
		}
		if p.eof() {
			if additional || fallback {
				return h, p.fail("une règle est attendue après le dernier séparateur")
			}
			return h, nil // a trailing ";" is harmless
		}
	}
}

func (p *hoursParser) rule() (OpeningRule, error) {
	var r OpeningRule
	p.skipSpaces()
	if strings.HasPrefix(p.src[p.pos:], "24/7") {
		p.pos += 4
		r.Spans = []TimeSpan{{Start: 0, End: 24 * 60}}
		return r, p.modifier(&r)
	}
	if err := p.selector(&r); err != nil {
		return r, err
	}
	p.skipSpaces()
	if c := p.peek(); c >= '0' && c <= '9' {
		if err := p.spans(&r); err != nil {
			return r, err
		}
	}
	if err := p.modifier(&r); err != nil {
		return r, err
	}
	if r.Weekdays == 0 && !r.PublicHolidays && !r.SchoolHolidays && len(r.Spans) == 0 && !r.Closed && !r.Unknown && r.Comment == "" {
		return r, p.unexpected()
	}
	return r, nil
}

// selector reads "Mo-Fr,Su,PH": weekdays, ranges and holidays.
func (p *hoursParser) selector(r *OpeningRule) error {
	for {
		p.skipSpaces()
		w := p.word()
		lw := strings.ToLower(w)
		switch {
		case lw == "ph":
			p.pos += 2
			r.PublicHolidays = true
		case lw == "sh":
			p.pos += 2
			r.SchoolHolidays = true
		default:
			d, ok := osmWeekdays[lw]
			if !ok {
				if w == "" {
					if c := p.peek(); c >= '0' && c <= '9' && p.looksLikeYear() {
						return p.fail("les années ne sont pas prises en charge : indiquez les horaires habituels, sans période")
					}
					return nil
				}
				return p.unknownWord(w)
			}
			p.pos += len(w)
			if p.peek() == '[' {
				return p.fail("les jours du mois (comme %s[1], le premier du mois) ne sont pas pris en charge : indiquez les jours de la semaine", w)
			}
			from, to := d, d
			save := p.pos
			p.skipSpaces()
			if p.peek() == '-' {
				p.pos++
				p.skipSpaces()
				w2 := p.word()
				d2, ok := osmWeekdays[strings.ToLower(w2)]
				if !ok {
					if w2 == "" {
						return p.fail("un jour est attendu après « %s- » (par exemple %s-Fr)", w, w)
					}
					return p.unknownWord(w2)
				}
				p.pos += len(w2)
				to = d2
			} else {
				p.pos = save
			}
			for day := from; ; day = (day + 1) % 7 {
				r.Weekdays |= 1 << uint(day)
				if day == to {
					break
				}
			}
		}
		save := p.pos
		p.skipSpaces()
		if p.peek() == ',' {
			p.pos++
			p.skipSpaces()
			nw := strings.ToLower(p.word())
			if _, ok := osmWeekdays[nw]; ok || nw == "ph" || nw == "sh" {
				continue
			}
		}
		p.pos = save
		return nil
	}
}

func (p *hoursParser) looksLikeYear() bool {
	i := p.pos
	for i < len(p.src) && p.src[i] >= '0' && p.src[i] <= '9' {
		i++
	}
	return i-p.pos == 4 && (i == len(p.src) || p.src[i] != ':')
}

// spans reads "09:00-12:00,14:00-18:30".
func (p *hoursParser) spans(r *OpeningRule) error {
	for {
		p.skipSpaces()
		start, err := p.clock(false)
		if err != nil {
			return err
		}
		sp := TimeSpan{Start: start}
		p.skipSpaces()
		switch p.peek() {
		case '-':
			p.pos++
			p.skipSpaces()
			end, err := p.clock(true)
			if err != nil {
				return err
			}
			if end < start {
				end += 24 * 60 // past midnight: 22:00-02:00
			}
			if end == start {
				return p.fail("l'ouverture et la fermeture sont à la même heure (%s)", minutesText(start))
			}
			if end > 48*60 {
				return p.fail("une plage horaire ne peut dépasser 48:00")
			}
			sp.End = end
			if p.peek() == '+' {
				p.pos++
				sp.OpenEnd = true
			}
		case '+':
			p.pos++
			sp.End, sp.OpenEnd = start, true
		default:
			return p.fail("l'heure %s doit être suivie d'une heure de fermeture, par exemple %s-18:00", minutesText(start), minutesText(start))
		}
		r.Spans = append(r.Spans, sp)
		save := p.pos
		p.skipSpaces()
		if p.peek() == ',' {
			p.pos++
			p.skipSpaces()
			if c := p.peek(); c >= '0' && c <= '9' {
				continue
			}
		}
		p.pos = save
		return nil
	}
}

// clock reads HH:MM; the end of a span may be 24:00 or later.
func (p *hoursParser) clock(end bool) (int, error) {
	i := p.pos
	for i < len(p.src) && p.src[i] >= '0' && p.src[i] <= '9' {
		i++
	}
	hh := p.src[p.pos:i]
	if hh == "" || len(hh) > 2 {
		if w := p.word(); w != "" {
			return 0, p.unknownWord(w)
		}
		return 0, p.unexpected()
	}
	if i >= len(p.src) || p.src[i] != ':' {
		if i < len(p.src) && (p.src[i] == 'h' || p.src[i] == 'H') {
			return 0, p.fail("écrivez les heures sous la forme 09:00-12:00 (et non « %sh »)", hh)
		}
		return 0, p.fail("heure attendue sous la forme HH:MM (par exemple 09:30), reçu « %s »", hh)
	}
	j := i + 1
	for j < len(p.src) && p.src[j] >= '0' && p.src[j] <= '9' {
		j++
	}
	mm := p.src[i+1 : j]
	h, _ := strconv.Atoi(hh)
	m, err := strconv.Atoi(mm)
	if len(mm) != 2 || err != nil || m > 59 {
		return 0, p.fail("minutes attendues sur deux chiffres, de 00 à 59 (reçu « %s:%s »)", hh, mm)
	}
	limit := 23
	if end {
		limit = 48
	}
	if h > limit || (h == 24 && !end) {
		return 0, p.fail("heure impossible : %s:%s", hh, mm)
	}
	p.pos = j
	return h*60 + m, nil
}

// modifier reads "off", "closed", "open", "unknown" and a "comment".
func (p *hoursParser) modifier(r *OpeningRule) error {
	p.skipSpaces()
	w := strings.ToLower(p.word())
	switch w {
	case "off", "closed":
		r.Closed = true
		p.pos += len(w)
	case "open":
		p.pos += len(w)
	case "unknown":
		r.Unknown = true
		p.pos += len(w)
	case "":
	default:
		return p.unknownWord(p.word())
	}
	p.skipSpaces()
	if p.peek() == '"' {
		end := strings.IndexByte(p.src[p.pos+1:], '"')
		if end < 0 {
			return p.fail("commentaire sans guillemet fermant")
		}
		r.Comment = p.src[p.pos+1 : p.pos+1+end]
		p.pos += end + 2
	}
	return nil
}

func (p *hoursParser) unknownWord(w string) error {
	lw := strings.ToLower(w)
	if what, ok := hoursUnsupported[lw]; ok {
		if what == "soleil" {
			return p.fail("les heures liées au soleil (%s) ne sont pas prises en charge : indiquez des heures fixes", w)
		}
		return p.fail("les périodes de l'année (%s : %s) ne sont pas prises en charge : indiquez les horaires habituels, sans période", what, w)
	}
	if osm, ok := hoursFrenchWords[lw]; ok {
		return p.fail("« %s » s'écrit %s : les jours s'écrivent en abrégé anglais (Mo Tu We Th Fr Sa Su), les jours fériés PH, la fermeture off", w, osm)
	}
	return p.fail("« %s » n'est pas compris (caractère %d) ; jours : Mo Tu We Th Fr Sa Su, PH pour les jours fériés", w, p.pos+1)
}

func (p *hoursParser) unexpected() error {
	rest := p.src[p.pos:]
	if len(rest) > 12 {
		rest = rest[:12] + "…"
	}
	return p.fail("« %s » n'est pas compris (caractère %d)", rest, p.pos+1)
}

func minutesText(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }
