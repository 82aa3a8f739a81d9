package passnum

import (
	"slices"
	"strconv"
	"strings"
)

// ibanLengths is each country's IBAN length, from the SWIFT IBAN registry.
// The French overseas départements and collectivités use FR IBANs.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
	"BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24,
	"DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
	"FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27,
	"GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
	"JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
	"LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27,
	"MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25,
	"QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24,
	"SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
	"TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}

// sepaCountries can receive a SEPA credit transfer, the only way places are
// paid: the EU, the EEA, and the other members of the SEPA scheme.
var sepaCountries = map[string]bool{
	"AT": true, "BE": true, "BG": true, "CY": true, "CZ": true, "DE": true, "DK": true,
	"EE": true, "ES": true, "FI": true, "FR": true, "GR": true, "HR": true, "HU": true,
	"IE": true, "IT": true, "LT": true, "LU": true, "LV": true, "MT": true, "NL": true,
	"PL": true, "PT": true, "RO": true, "SE": true, "SI": true, "SK": true,
	"IS": true, "LI": true, "NO": true,
	"AD": true, "CH": true, "GB": true, "GI": true, "MC": true, "SM": true, "VA": true,
	"AL": true, "MD": true, "ME": true, "MK": true, "RS": true,
}

// bicCountryGroups lists, for an IBAN country, the other BIC country codes
// its banks legitimately use: French overseas territories and Monaco bank
// with FR IBANs, the Crown dependencies with GB ones, Åland with FI.
var bicCountryGroups = map[string][]string{
	"FR": {"MC", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "NC", "PF", "WF"},
	"MC": {"FR"},
	"GB": {"GG", "JE", "IM"},
	"FI": {"AX"},
}

// NormalizeIBAN removes spaces and dashes and upper-cases an IBAN as typed.
func NormalizeIBAN(s string) string {
	return strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\u00a0", "", "\t", "").Replace(strings.TrimSpace(s)))
}

// CheckIBAN returns what is wrong with a normalised IBAN, in French, or "".
// It checks the characters, the country's length and the mod-97 key, then
// that the account can receive a SEPA transfer.
func CheckIBAN(iban string) string {
	if len(iban) < 5 {
		return "IBAN trop court : recopiez-le depuis le relevé d'identité bancaire (RIB), par exemple FR76 3000 6000 0112 3456 7890 189"
	}
	for i := 0; i < len(iban); i++ {
		c := iban[i]
		switch {
		case i < 2 && (c < 'A' || c > 'Z'):
			return "un IBAN commence par le code du pays en deux lettres (FR pour la France)"
		case i >= 2 && i < 4 && (c < '0' || c > '9'):
			return "les 3e et 4e caractères d'un IBAN sont les deux chiffres de sa clé"
		case !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z'):
			return "un IBAN ne contient que des lettres et des chiffres"
		}
	}
	country := iban[:2]
	want, ok := ibanLengths[country]
	if !ok {
		return "pays « " + country + " » inconnu pour un IBAN : vérifiez les deux premières lettres"
	}
	if len(iban) != want {
		return "un IBAN " + country + " compte " + strconv.Itoa(want) + " caractères, celui-ci en compte " + strconv.Itoa(len(iban)) + " : vérifiez qu'il ne manque ou ne s'ajoute aucun caractère"
	}
	if ibanMod97(iban) != 1 {
		return "la clé de contrôle de cet IBAN est fausse : un caractère est mal recopié, vérifiez-le sur le RIB"
	}
	if !sepaCountries[country] {
		return "ce compte (" + country + ") n'est pas dans la zone SEPA : les lieux sont payés par virement SEPA, donnez un compte d'un pays de la zone SEPA"
	}
	return ""
}

// ValidIBAN reports whether s, as typed, is a valid IBAN payable by SEPA
// credit transfer.
func ValidIBAN(s string) bool { return CheckIBAN(NormalizeIBAN(s)) == "" }

// ibanMod97 computes the ISO 7064 mod 97-10 remainder of an IBAN whose
// characters are already checked: the first four characters move to the
// end and each letter becomes two digits (A = 10 … Z = 35).
func ibanMod97(iban string) int {
	rearranged := iban[4:] + iban[:4]
	r := 0
	for i := 0; i < len(rearranged); i++ {
		c := rearranged[i]
		if c >= 'A' && c <= 'Z' {
			v := int(c-'A') + 10
			r = (r*100 + v) % 97
		} else {
			r = (r*10 + int(c-'0')) % 97
		}
	}
	return r
}

// NormalizeBIC removes spaces and upper-cases a BIC as typed.
func NormalizeBIC(s string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
}

// CheckBIC returns what is wrong with a normalised BIC, in French, or "".
// iban, when valid, is the account's IBAN: the BIC's country must be the
// IBAN's, or one its banks use (a Guadeloupe branch for a FR IBAN).
func CheckBIC(bic, iban string) string {
	if len(bic) != 8 && len(bic) != 11 {
		return "un BIC compte 8 ou 11 caractères (par exemple BNPAFRPP ou BNPAFRPPXXX) : recopiez-le depuis le RIB"
	}
	for i := 0; i < len(bic); i++ {
		c := bic[i]
		letter := c >= 'A' && c <= 'Z'
		digit := c >= '0' && c <= '9'
		if i < 6 && !letter {
			return "les 6 premiers caractères d'un BIC sont des lettres : le code de la banque puis celui du pays (BNPA FR…)"
		}
		if i >= 6 && !letter && !digit {
			return "un BIC ne contient que des lettres et des chiffres"
		}
	}
	// ISO 9362, as the SEPA schema checks it: the location code's first
	// character is never 0 or 1 (reserved for tests and passive
	// participants), its second never the letter O.
	if bic[6] == '0' || bic[6] == '1' || bic[7] == 'O' {
		return "le 7e caractère d'un BIC n'est jamais 0 ni 1, ni le 8e la lettre O (code de la ville) : recopiez-le depuis le RIB"
	}
	country := bic[4:6]
	if len(iban) >= 2 {
		ic := iban[:2]
		if country != ic && !slices.Contains(bicCountryGroups[ic], country) {
			return "le BIC désigne une banque du pays « " + country + " » mais l'IBAN est un compte « " + ic + " » : vérifiez que les deux viennent du même RIB"
		}
	}
	return ""
}

// MaskIBAN hides an IBAN but its country, key and last four characters,
// grouped by four as on a RIB: FR76 **** **** **** **** ***0 189.
func MaskIBAN(iban string) string {
	b := []byte(iban)
	for i := 4; i < len(b)-4; i++ {
		b[i] = '*'
	}
	return groupBy4(string(b))
}

// FormatIBAN groups an IBAN by four characters, as printed on a RIB.
func FormatIBAN(iban string) string { return groupBy4(iban) }

func groupBy4(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if i > 0 && i%4 == 0 {
			sb.WriteByte(' ')
		}
		sb.WriteByte(s[i])
	}
	return sb.String()
}
