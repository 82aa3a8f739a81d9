package passnum

import (
	"reflect"
	"strings"
	"testing"
)

// A young person is told nothing by e-mail unless they gave an address and
// agreed: today the record holds no address at all, so nothing can be
// sent. Adding one (for reminders) must come with the young person's
// agreement and a field recording it; this test is there to be changed
// with them.
func TestBeneficiaryHoldsNoAddress(t *testing.T) {
	ty := reflect.TypeOf(Beneficiary{})
	for i := range ty.NumField() {
		f := ty.Field(i)
		name := strings.ToLower(f.Name + " " + f.Tag.Get("json"))
		if strings.Contains(name, "mail") || strings.Contains(name, "phone") {
			t.Errorf("Beneficiary has %s: an address needs the young person's agreement, recorded with it", f.Name)
		}
	}
}
