package api

import (
	"testing"

	"passnum"
)

// FuzzDecodeRequest feeds arbitrary bodies to the request decoder: it never
// panics, and every refusal is a malformed, invalid or too-large error with
// a French message, never an internal error.
func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []string{
		``, `{}`, `{"first_name":"Léa"}`, `{"birth_date":"2005-02-30"}`, `[1]`, `{"job_seeker":"oui"}`,
		`{"first_name":"a"} {}`, `{"unknown":1}`, `{"first_name":null}`, "\xff\xfe", `{"first_name":"\u0000"}`,
		`{"funders":[{"organisation_id":1}]}`, `{"booklets":1e99}`, `{"booklets":-1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, dst := range []any{&beneficiaryRequest{}, &programmeRequest{}, &redeemRequest{}, &organisationRequest{}} {
			err := decodeStrict(body, dst)
			if err == nil {
				continue
			}
			switch code := passnum.ErrorCode(err); code {
			case passnum.EMALFORMED, passnum.EINVALID:
			default:
				t.Fatalf("body %q: error code %q (%v)", body, code, err)
			}
			if passnum.ErrorMessage(err) == "" {
				t.Fatalf("body %q: empty message", body)
			}
		}
	})
}
