package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"passnum"
	"passnum/store/storetest"
	"passnum/web"
)

// The browser tests drive a real Chromium over the running site: forms
// typed into and submitted, the keyboard alone, a phone-sized screen, the
// console watched for script errors and Content Security Policy
// violations, and axe-core run on every main page. They run on SQLite
// only: one engine is enough for what a browser sees.
//
// The browser is Debian's Chromium: $PASSNUM_CHROMIUM, else
// /usr/bin/chromium, else "chromium" on the PATH. Nothing downloads one.
// Without it the tests are skipped, except under CI=true where they fail.
// A failed step leaves a full-page screenshot in $PASSNUM_SCREENSHOTS (or
// <temp>/passnum-screenshots), named after the test and the step.

const (
	// browserTimeout bounds one test function, browser start included.
	browserTimeout = 3 * time.Minute
	// stepTimeout bounds one step: a missing element fails after it.
	stepTimeout = 20 * time.Second
)

// chromiumPath finds the browser, or returns "".
func chromiumPath() string {
	if p := os.Getenv("PASSNUM_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
		return ""
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// screenshotDir is where failed steps leave their screenshot.
func screenshotDir() string {
	if d := os.Getenv("PASSNUM_SCREENSHOTS"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "passnum-screenshots")
}

// chrome is one browser over a fresh site, for one test function.
type chrome struct {
	t   *testing.T
	st  *site
	ctx context.Context

	mu       sync.Mutex
	problems []string // console errors and CSP violations, not yet reported
	notes    []string // other console messages worth a log line
}

// newChrome starts a site on SQLite with its clock at storetest.Epoch,
// and a headless Chromium. It skips (fails under CI=true) when there is
// no browser.
func newChrome(t *testing.T) *chrome {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		msg := "Chromium est introuvable : les tests dans le navigateur ont besoin de lui. " +
			"Installez-le (apt-get install chromium) ou donnez son chemin dans PASSNUM_CHROMIUM."
		if storetest.InCI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	clock := passnum.NewFixedClock(storetest.Epoch)
	s, _ := storetest.OpenSQLite(t, clock)
	c := &chrome{t: t, st: newSite(t, s, clock, web.Config{})}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	base, cancelBase := context.WithTimeout(context.Background(), browserTimeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(base, opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithListener(c.listen))
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
		cancelBase()
	})
	c.ctx = ctx
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("Chromium (%s) ne démarre pas : %v", path, err)
	}
	// Registered after the cancellations, so it runs before them.
	t.Cleanup(func() {
		if t.Failed() {
			return
		}
		if p := c.takeProblems(); len(p) > 0 {
			t.Errorf("la console du navigateur a signalé :\n%s", strings.Join(p, "\n"))
		}
	})
	return c
}

// listen runs in the browser's message loop: it only records.
func (c *chrome) listen(ev any) {
	var problem, note string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			problem = "console." + string(ev.Type) + " : " + argsText(ev.Args)
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		problem = fmt.Sprintf("erreur JavaScript : %s (%s:%d)", text, d.URL, d.LineNumber+1)
	case *log.EventEntryAdded:
		e := ev.Entry
		text := fmt.Sprintf("[%s/%s] %s", e.Source, e.Level, e.Text)
		if e.URL != "" {
			text += " (" + e.URL + ")"
		}
		switch {
		case isCSPViolation(e.Text) || e.Source == log.EntrySourceSecurity:
			problem = "violation de la politique de sécurité du contenu : " + text
		case e.Level == log.EntryLevelError && e.Source != log.EntrySourceNetwork:
			problem = text
		case e.Level == log.EntryLevelError || e.Level == log.EntryLevelWarning:
			note = text
		}
	}
	if problem == "" && note == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if problem != "" {
		c.problems = append(c.problems, problem)
	}
	if note != "" {
		c.notes = append(c.notes, note)
	}
}

func isCSPViolation(text string) bool {
	return strings.Contains(text, "Content Security Policy") || strings.Contains(text, "Content-Security-Policy")
}

func argsText(args []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range args {
		switch {
		case a == nil:
		case len(a.Value) > 0:
			var s string
			if json.Unmarshal(a.Value, &s) == nil {
				parts = append(parts, s)
			} else {
				parts = append(parts, string(a.Value))
			}
		case a.Description != "":
			parts = append(parts, a.Description)
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}

// takeProblems returns the console problems seen since the last call, and
// logs the other messages.
func (c *chrome) takeProblems() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.notes {
		c.t.Logf("console : %s", n)
	}
	c.notes = nil
	p := c.problems
	c.problems = nil
	return p
}

// step runs actions; on failure, or when the console reported an error
// or a CSP violation meanwhile, it saves a screenshot and fails the test.
func (c *chrome) step(name string, actions ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, stepTimeout)
	defer cancel()
	err := chromedp.Do(ctx, actions...)
	if err == nil {
		// Let late messages of the page (deferred scripts) arrive.
		_ = chromedp.Do(ctx, chromedp.Sleep(50*time.Millisecond))
		if p := c.takeProblems(); len(p) > 0 {
			err = fmt.Errorf("la console du navigateur a signalé :\n%s", strings.Join(p, "\n"))
		}
	}
	if err != nil {
		c.fail(name, err)
	}
}

// fail saves a screenshot of the page and fails the test.
func (c *chrome) fail(name string, err error) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, 15*time.Second)
	defer cancel()
	where, _ := chromedp.Run(ctx, chromedp.Location())
	shot, serr := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if serr == nil {
		dir := screenshotDir()
		file := filepath.Join(dir, fileName(c.t.Name())+"-"+fileName(name)+".png")
		if serr = os.MkdirAll(dir, 0o755); serr == nil {
			serr = os.WriteFile(file, shot, 0o644)
		}
		if serr == nil {
			c.t.Logf("capture d'écran : %s", file)
		}
	}
	if serr != nil {
		c.t.Logf("pas de capture d'écran : %v", serr)
	}
	if text, terr := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`)); terr == nil {
		c.t.Logf("texte de la page :\n%s", text)
	}
	c.t.Fatalf("étape %q (page %s) : %v", name, strings.TrimPrefix(where, c.st.srv.URL), err)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

func fileName(s string) string {
	return strings.Trim(unsafeName.ReplaceAllString(s, "_"), "_")
}

// read runs one action that returns a value, as a step.
func read[T any](c *chrome, name string, a chromedp.Action[T]) T {
	c.t.Helper()
	var v T
	c.step(name, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		var err error
		v, err = a(ctx, t)
		return err
	}))
	return v
}

// url is the site's address of a path.
func (c *chrome) url(path string) string { return c.st.srv.URL + path }

// visit loads a page and checks that it answers without error.
func (c *chrome) visit(path string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		res, err := chromedp.NavigateResponse(c.url(path))(ctx, t)
		if err != nil {
			return err
		}
		if res == nil {
			return fmt.Errorf("%s : pas de réponse", path)
		}
		if res.Status >= 400 {
			return fmt.Errorf("%s répond %d", path, res.Status)
		}
		return nil
	})
}

// pathIs checks where the browser is, without the query.
func (c *chrome) pathIs(re string) chromedp.Action[chromedp.Void] {
	rx := regexp.MustCompile("^" + re + "$")
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		p, err := chromedp.Evaluate[string](`location.pathname`)(ctx, t)
		if err != nil {
			return err
		}
		if !rx.MatchString(p) {
			return fmt.Errorf("le navigateur est sur %s, attendu %s", p, re)
		}
		return nil
	})
}

// fill types a value into a field, replacing what it held.
func fill(id, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.Clear(chromedp.ID(id)), chromedp.SendKeys(chromedp.ID(id), value))
}

// choose selects an option of a <select> by its value.
func choose(id, value string) chromedp.Action[chromedp.Void] {
	return chromedp.SetValue(chromedp.ID(id), value)
}

// check makes a checkbox checked (or not), clicking it when needed.
func check(id string, on bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := chromedp.WaitReady(chromedp.ID(id))(ctx, t); err != nil {
			return err
		}
		checked, err := chromedp.Evaluate[bool](fmt.Sprintf(`document.getElementById(%q).checked`, id))(ctx, t)
		if err != nil {
			return err
		}
		if checked != on {
			_, err = chromedp.Click(chromedp.ID(id))(ctx, t)
		}
		return err
	})
}

// navigated runs trigger and waits for the next document to be loaded,
// then checks that it did not answer with an error status, other than
// those allowed (a form re-rendered with its message: 409, 422…).
func navigated(trigger chromedp.Action[chromedp.Void], allowed ...int) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := chromedp.Evaluate[chromedp.Void](`window.__passnumOld = true`)(ctx, t); err != nil {
			return err
		}
		if _, err := trigger(ctx, t); err != nil {
			return err
		}
		for {
			done, err := chromedp.Evaluate[bool](`window.__passnumOld !== true && document.readyState === "complete"`)(ctx, t)
			if err == nil && done {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("aucune nouvelle page n'est arrivée : %w", ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
		status, err := chromedp.Evaluate[int](`(performance.getEntriesByType("navigation")[0] || {}).responseStatus || 0`)(ctx, t)
		if err != nil {
			return err
		}
		if status >= 400 && !slices.Contains(allowed, status) {
			return fmt.Errorf("la page obtenue répond %d", status)
		}
		return nil
	})
}

// submit clicks the submit button whose text is given, and waits for the
// page that answers.
func submit(text string, allowed ...int) chromedp.Action[chromedp.Void] {
	return navigated(chromedp.Click(buttonXPath(text)), allowed...)
}

func buttonXPath(text string) chromedp.Search {
	return chromedp.Search(fmt.Sprintf(`//button[@type="submit" and normalize-space(.)=%s]`, xpathString(text)))
}

// xpathString quotes a string for XPath 1.0.
func xpathString(s string) string {
	if !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	if !strings.Contains(s, "'") {
		return "'" + s + "'"
	}
	parts := strings.Split(s, `"`)
	return `concat("` + strings.Join(parts, `", '"', "`) + `")`
}

// pageText is what the page shows, spaces normalised.
func pageText() chromedp.Action[string] {
	return func(ctx context.Context, t *chromedp.Target) (string, error) {
		s, err := chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`)(ctx, t)
		return normalSpaces(s), err
	}
}

var spaces = regexp.MustCompile(`[\s\x{a0}\x{202f}]+`)

func normalSpaces(s string) string { return spaces.ReplaceAllString(s, " ") }

// see checks that the page shows every text given (spaces normalised).
func see(texts ...string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		body, err := pageText()(ctx, t)
		if err != nil {
			return err
		}
		for _, s := range texts {
			if !strings.Contains(body, normalSpaces(s)) {
				return fmt.Errorf("la page ne montre pas %q", s)
			}
		}
		return nil
	})
}

// seeMatch checks that the page text matches a regular expression (case
// insensitive), and returns nothing; use read(…, match(re)) for groups.
func seeMatch(re string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := match(re)(ctx, t)
		return err
	})
}

// match finds a regular expression (case insensitive) in the page text
// and returns its groups.
func match(re string) chromedp.Action[[]string] {
	rx := regexp.MustCompile("(?i)" + re)
	return func(ctx context.Context, t *chromedp.Target) ([]string, error) {
		body, err := pageText()(ctx, t)
		if err != nil {
			return nil, err
		}
		m := rx.FindStringSubmatch(body)
		if m == nil {
			return nil, fmt.Errorf("la page ne contient rien comme /%s/", re)
		}
		return m, nil
	}
}

// clearCookies signs everyone out of the browser.
func clearCookies() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.ClearBrowserCookies, cdp.Empty{})
		return err
	})
}

// signIn signs a staff person in through the sign-in form, and checks
// that they land on path (a regular expression; "" for their home).
func (c *chrome) signIn(email, next string) {
	c.t.Helper()
	start := "/connexion"
	if next != "" {
		start += "?suite=" + next
	}
	c.step("connexion de "+email,
		clearCookies(),
		c.visit(start),
		fill("f-email", email),
		fill("f-password", testPassword),
		submit("Se connecter"),
	)
	if next != "" {
		c.step("arrivée de "+email, c.pathIs(regexp.QuoteMeta(next)))
	} else {
		c.step("arrivée de "+email, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			p, err := chromedp.Evaluate[string](`location.pathname`)(ctx, t)
			if err == nil && strings.HasPrefix(p, "/connexion") {
				err = errors.New("toujours sur la page de connexion")
			}
			return err
		}))
	}
}

// axeSource is the vendored axe-core, read once.
var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile(filepath.Join("static", "vendor", "axe.min.js"))
	return string(b), err
})

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
	Count  int      `json:"count"`
}

// axeLoad evaluates axe-core in the page, through the DevTools protocol,
// which the page's Content Security Policy does not govern.
func axeLoad() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		src, err := axeSource()
		if err != nil {
			return err
		}
		has, err := chromedp.Evaluate[bool](`typeof axe === "object"`)(ctx, t)
		if err != nil || has {
			return err
		}
		if _, err := chromedp.Evaluate[chromedp.Void](src+"\n;void 0")(ctx, t); err != nil {
			return fmt.Errorf("chargement d'axe-core : %w", err)
		}
		return nil
	})
}

// axeRun runs the WCAG 2.1 A and AA rules of axe-core on the page.
func axeRun() chromedp.Action[[]axeViolation] {
	return chromedp.Evaluate[[]axeViolation](`axe.run(document, {
		runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
		resultTypes: ["violations"]
	}).then(r => r.violations.map(v => ({
		id: v.id, impact: v.impact || "", help: v.help, count: v.nodes.length,
		nodes: v.nodes.slice(0, 5).map(n => [].concat(...n.target).join(" ") + "  " + (n.html || "").slice(0, 160))
	})))`, chromedp.EvalAwaitPromise)
}

// axe runs axe-core on the current page and fails on every serious or
// critical violation; lesser ones are logged.
func (c *chrome) axe(name string) {
	c.t.Helper()
	c.step("axe-core chargé sur "+name, axeLoad())
	var serious []string
	for _, v := range read(c, "axe sur "+name, axeRun()) {
		line := fmt.Sprintf("[%s] %s : %s (%d élément(s))\n    %s", v.Impact, v.ID, v.Help, v.Count, strings.Join(v.Nodes, "\n    "))
		if v.Impact == "serious" || v.Impact == "critical" {
			serious = append(serious, line)
		} else {
			c.t.Logf("axe, %s (non bloquant) : %s", name, line)
		}
	}
	if len(serious) > 0 {
		c.fail("axe sur "+name, fmt.Errorf("%d violation(s) graves d'accessibilité :\n%s", len(serious), strings.Join(serious, "\n")))
	}
}

// focused describes the element that has the keyboard focus.
type focused struct {
	ID   string `json:"id"`
	Tag  string `json:"tag"`
	Text string `json:"text"`
}

func focusedElement() chromedp.Action[focused] {
	return chromedp.Evaluate[focused](`(() => {
		const e = document.activeElement;
		if (!e || e === document.body) return {id: "", tag: "", text: ""};
		return {id: e.id || "", tag: e.tagName.toLowerCase(), text: (e.innerText || e.value || "").trim().slice(0, 80)};
	})()`)
}

// pressKey sends one key to the focused element.
func pressKey(key string) chromedp.Action[chromedp.Void] { return chromedp.KeyEvent(key) }

// tabTo presses Tab until the element with the id has the focus, and
// fails after max presses. It returns the elements passed through.
func tabTo(id string, max int) chromedp.Action[[]focused] {
	return func(ctx context.Context, t *chromedp.Target) ([]focused, error) {
		var path []focused
		for range max {
			if _, err := pressKey(kb.Tab)(ctx, t); err != nil {
				return path, err
			}
			f, err := focusedElement()(ctx, t)
			if err != nil {
				return path, err
			}
			path = append(path, f)
			if f.ID == id {
				return path, nil
			}
		}
		return path, fmt.Errorf("#%s n'a pas reçu le focus après %d tabulations (parcours : %v)", id, max, path)
	}
}
