package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// A bad width of the general lane is refused before anything is opened,
// with what to type instead.
func TestServeRefusesABadGeneralLaneWidth(t *testing.T) {
	for _, c := range []struct {
		env  string
		args []string
		want string
	}{
		{"", []string{"--general-slots", "-1"}, "entre 0 et 10000"},
		{"", []string{"--general-slots", "beaucoup"}, "entre 0 et 10000"},
		{"quatre", nil, "PASSNUM_GENERAL_SLOTS"},
	} {
		t.Setenv("PASSNUM_GENERAL_SLOTS", c.env)
		dir := t.TempDir()
		var out, errOut bytes.Buffer
		args := append([]string{"serve", "--db", "sqlite:" + filepath.Join(dir, "p.db"), "--addr", "127.0.0.1:0"}, c.args...)
		err := run(context.Background(), args, &out, &errOut)
		if err == nil || !strings.Contains(err.Error()+errOut.String(), c.want) {
			t.Errorf("%v %v: error %v (%s), want one that says %q", c.env, c.args, err, errOut.String(), c.want)
		}
		if m, _ := filepath.Glob(filepath.Join(dir, "*")); len(m) != 0 {
			t.Errorf("%v %v: created %v", c.env, c.args, m)
		}
	}
}
