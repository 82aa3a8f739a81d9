package store

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"passnum"
)

// BeneficiarySummary is a beneficiary as a counsellor's list shows it: who,
// and how far they got with their passes.
type BeneficiarySummary struct {
	passnum.Beneficiary
	// PassesTotal counts the passes of the booklets handed to the person,
	// less those blocked with a lost booklet (a redeemed pass of a lost
	// booklet still counts, as used) and those a replacement booklet voids.
	PassesTotal int
	// PassesUsed counts the passes redeemed, with an active redemption.
	PassesUsed int
	// LatestBookletID is the booklet handed out last; "" when none.
	LatestBookletID string
}

// maxSearchRunes bounds a search query.
const maxSearchRunes = 100

// SearchBeneficiaries finds the beneficiaries of an agency (all of them for
// distributorID "", the operator) whose first or last name has a word
// starting with each word of query, ignoring case and accents ("lea mar"
// finds "Léa Martin" and "Marie-Léa Dupont"), newest first. An empty query
// lists them all. Each comes with its pass counts and latest booklet.
func (tx *Tx) SearchBeneficiaries(ctx context.Context, distributorID, query string, p Page) ([]BeneficiarySummary, string, error) {
	if utf8.RuneCountInString(query) > maxSearchRunes {
		return nil, "", passnum.Invalid(passnum.FieldError{Field: "q", Detail: "recherche trop longue : 100 caractères au plus (un nom, un prénom, ou le début de chacun)"})
	}
	from := `beneficiaries`
	var args []any
	words := foldWords(query)
	if len(words) > 0 {
		// Word starts: the folded full name, preceded by a space, holds
		// " word" for each word of the query. It is folded once per row,
		// in a derived table.
		from = `(SELECT ` + beneficiaryColumns + `, ' ' || ` + sqlFold(`first_name || ' ' || last_name`) + ` AS folded_name FROM beneficiaries) x`
	}
	q := `SELECT ` + beneficiaryColumns + ` FROM ` + from + ` WHERE 1=1`
	if distributorID != "" {
		q += ` AND distributor_id = ?`
		args = append(args, distributorID)
	}
	for _, w := range words {
		q += ` AND folded_name LIKE ?`
		args = append(args, "% "+w+"%")
	}
	q, args = p.apply(q, args, "created_at", "id")
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	var list []passnum.Beneficiary
	for rows.Next() {
		b, err := scanBeneficiary(rows)
		if err != nil {
			rows.Close()
			return nil, "", err
		}
		list = append(list, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	list, next := trimPage(list, p, func(i int) (int64, string) { return micros(list[i].CreatedAt), list[i].ID })
	out, err := tx.summarise(ctx, list)
	return out, next, err
}

// summarise adds the pass counts and latest booklet to a page of
// beneficiaries, in two queries for the whole page.
func (tx *Tx) summarise(ctx context.Context, list []passnum.Beneficiary) ([]BeneficiarySummary, error) {
	out := make([]BeneficiarySummary, len(list))
	if len(list) == 0 {
		return out, nil
	}
	index := make(map[string]int, len(list))
	ids := make([]any, len(list))
	for i, b := range list {
		out[i].Beneficiary = b
		index[b.ID] = i
		ids[i] = b.ID
	}
	rows, err := tx.query(ctx, `SELECT bk.beneficiary_id,
			CAST(SUM(CASE WHEN ps.status IN ('assigned', 'redeemed') THEN 1 ELSE 0 END) AS BIGINT),
			CAST(SUM(CASE WHEN r.id IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT)
		FROM booklets bk JOIN passes ps ON ps.booklet_id = bk.id
		LEFT JOIN redemptions r ON r.pass_id = ps.id AND r.status = 'active'
		WHERE bk.beneficiary_id IN (`+placeholders(len(ids))+`)
		GROUP BY bk.beneficiary_id`, ids...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id string
		var total, used int64
		if err := rows.Scan(&id, &total, &used); err != nil {
			rows.Close()
			return nil, err
		}
		if i, ok := index[id]; ok {
			out[i].PassesTotal, out[i].PassesUsed = int(total), int(used)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.query(ctx, `SELECT beneficiary_id, id, COALESCE(handed_out_at, 0) FROM booklets
		WHERE beneficiary_id IN (`+placeholders(len(ids))+`)`, ids...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	latest := make([]int64, len(list))
	for rows.Next() {
		var ben, id string
		var at int64
		if err := rows.Scan(&ben, &id, &at); err != nil {
			return nil, err
		}
		i, ok := index[ben]
		if !ok {
			continue
		}
		if s := &out[i]; s.LatestBookletID == "" || at > latest[i] || (at == latest[i] && id > s.LatestBookletID) {
			s.LatestBookletID, latest[i] = id, at
		}
	}
	return out, rows.Err()
}

// HeldElsewhere reports whether a person with the same first and last
// names (ignoring case, accents, spaces and hyphens) and birth date,
// registered by another agency than distributorID, holds a booklet of the
// programme: a warning before handing out a second one. It tells nothing
// else about the other agency's beneficiary.
func (tx *Tx) HeldElsewhere(ctx context.Context, distributorID, programmeID, firstName, lastName string, birth passnum.Date) (bool, error) {
	if len(foldWords(firstName)) == 0 || len(foldWords(lastName)) == 0 || birth.IsZero() {
		return false, nil
	}
	return tx.heldElsewhere(ctx, distributorID, programmeID, identityKey(firstName, lastName, birth))
}

func (tx *Tx) heldElsewhere(ctx context.Context, distributorID, programmeID, key string) (bool, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM beneficiaries b
		WHERE b.identity_key = ? AND b.distributor_id <> ?
		  AND EXISTS (SELECT 1 FROM booklets bk WHERE bk.beneficiary_id = b.id AND bk.programme_id = ?)`,
		key, distributorID, programmeID).Scan(&n)
	return n > 0, err
}

// folds maps the accented letters of names written in France to plain
// letters. The same table folds in Go (queries, comparisons) and in SQL
// (sqlFold), so that both sides agree. Upper case letters are listed too:
// SQLite's LOWER, and PostgreSQL's under the C locale, only lower ASCII.
var folds = [][2]string{
	{"à", "a"}, {"á", "a"}, {"â", "a"}, {"ã", "a"}, {"ä", "a"}, {"å", "a"},
	{"À", "a"}, {"Á", "a"}, {"Â", "a"}, {"Ã", "a"}, {"Ä", "a"}, {"Å", "a"},
	{"æ", "ae"}, {"Æ", "ae"}, {"ç", "c"}, {"Ç", "c"},
	{"è", "e"}, {"é", "e"}, {"ê", "e"}, {"ë", "e"}, {"È", "e"}, {"É", "e"}, {"Ê", "e"}, {"Ë", "e"},
	{"ì", "i"}, {"í", "i"}, {"î", "i"}, {"ï", "i"}, {"Ì", "i"}, {"Í", "i"}, {"Î", "i"}, {"Ï", "i"},
	{"ñ", "n"}, {"Ñ", "n"},
	{"ò", "o"}, {"ó", "o"}, {"ô", "o"}, {"õ", "o"}, {"ö", "o"}, {"ø", "o"},
	{"Ò", "o"}, {"Ó", "o"}, {"Ô", "o"}, {"Õ", "o"}, {"Ö", "o"}, {"Ø", "o"},
	{"œ", "oe"}, {"Œ", "oe"},
	{"ù", "u"}, {"ú", "u"}, {"û", "u"}, {"ü", "u"}, {"Ù", "u"}, {"Ú", "u"}, {"Û", "u"}, {"Ü", "u"},
	{"ý", "y"}, {"ÿ", "y"}, {"Ý", "y"}, {"Ÿ", "y"},
	// Word separators inside names.
	{"-", " "}, {"'", " "}, {"’", " "},
}

var foldReplacer = func() *strings.Replacer {
	var pairs []string
	for _, f := range folds {
		pairs = append(pairs, f[0], f[1])
	}
	return strings.NewReplacer(pairs...)
}()

// sqlFold is the SQL expression folding expr as foldWords does.
func sqlFold(expr string) string {
	out := `LOWER(` + expr + `)`
	for _, f := range folds {
		out = `REPLACE(` + out + `, '` + strings.ReplaceAll(f[0], "'", "''") + `', '` + f[1] + `')`
	}
	return out
}

// foldWords lowers s, removes its accents and splits it into words of
// letters and digits.
func foldWords(s string) []string {
	s = foldReplacer.Replace(strings.ToLower(s))
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// identityKey is who a young person is, as compared within an agency and
// across agencies: the folded first name and the folded last name, each
// without spaces ("Théo" and "THEO", "Marie-Léa" and "Marie Lea" are the
// same), and the birth date. It holds personal data: it stays in the
// beneficiaries table, never in the audit trail or an address.
func identityKey(first, last string, birth passnum.Date) string {
	return identityKeyOf(first, last, birth.String())
}

func identityKeyOf(first, last, birth string) string {
	return strings.Join(foldWords(first), "") + "|" + strings.Join(foldWords(last), "") + "|" + birth
}
