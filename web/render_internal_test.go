package web

import "testing"

// A "return to" address is kept only when a browser would read it as a
// path of this site.
func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/compte":                       "/compte",
		"/operateur/journal?du=01/01":   "/operateur/journal?du=01/01",
		"/lieu/../compte":               "/compte",
		" /compte\n":                    "/compte",
		"":                              "",
		"compte":                        "",
		"//evil.example/":               "",
		"/\t/evil.example":              "",
		"/\n/evil.example":              "",
		"/\r\n/evil.example":            "",
		"/\\evil.example":               "",
		"\\\\evil.example":              "",
		"/\\/evil.example":              "",
		"https://evil.example":          "",
		"javascript:alert(1)":           "",
		" //evil.example":               "",
		"\x01//evil.example":            "",
		"/%09/evil.example":             "/%09/evil.example",
		"/%2F%2Fevil.example":           "/evil.example",
		"/%5C%5Cevil.example":           "/%5C%5Cevil.example",
		"/compte#fragment":              "/compte",
		"/a\x00b":                       "",
		"/lieu?suite=//evil.example":    "/lieu?suite=//evil.example",
		"/\t\\evil.example":             "",
		"/ /evil.example":               "/%20/evil.example",
		"/%0a/evil.example":             "/%0A/evil.example",
		"/.//evil.example":              "/evil.example",
		"/%2e%2e//evil.example":         "/evil.example",
		"/lieu/encaissements?page=2":    "/lieu/encaissements?page=2",
		"/lieux/sites/01KKBFJYM0/carte": "/lieux/sites/01KKBFJYM0/carte",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
