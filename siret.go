package passnum

// laPosteSIREN is the one SIREN whose establishments do not follow Luhn:
// the sum of the SIRET's digits is a multiple of 5 instead.
const laPosteSIREN = "356000000"

// ValidSIRET checks a SIRET's length, digits and key.
func ValidSIRET(s string) bool {
	if len(s) != 14 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	if s[:9] == laPosteSIREN && s != "35600000000048" { // the head office follows Luhn
		sum := 0
		for i := 0; i < len(s); i++ {
			sum += int(s[i] - '0')
		}
		return sum%5 == 0
	}
	return luhn(s)
}

func luhn(s string) bool {
	sum := 0
	for i := 0; i < len(s); i++ {
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}
