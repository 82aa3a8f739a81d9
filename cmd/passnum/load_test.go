package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// "passnum bench load" drives a real server process with the mix and
// finds every acknowledged write afterwards (a short run: the figures of
// BENCHMARKS.md come from the command itself).
func TestBenchLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test: long, skipped with -short")
	}
	saved := serveCommand
	t.Cleanup(func() { serveCommand = saved })
	serveCommand = func(_, db string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+strings.Join([]string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--outbox", t.TempDir()}, "\x1f"))
		return cmd
	}
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"bench", "load", "--clients", "1,8", "--duration", "1s", "--warmup", "200ms", "--dir", t.TempDir()}, &out, &errOut)
	if err != nil {
		t.Fatalf("%v\n%s\n%s", err, out.String(), errOut.String())
	}
	report := out.String()
	if !regexp.MustCompile(`every acknowledged write found: [1-9][0-9]* hand-outs, [1-9][0-9]* redemptions`).MatchString(report) {
		t.Fatalf("report:\n%s", report)
	}
	for _, kind := range []string{"pass look-up", "redemption", "hand-out", "dashboard", "page view", "sign-in", "floor"} {
		if !strings.Contains(report, kind) {
			t.Errorf("the report lacks %q:\n%s", kind, report)
		}
	}
	if m := regexp.MustCompile(`errors=([1-9][0-9]*)`).FindString(report); m != "" {
		t.Errorf("the load met errors (%s):\n%s", m, report)
	}
}
