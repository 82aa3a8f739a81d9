package mail

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var sample = Message{
	To:      "Léa Martin <lea.martin@example.fr>",
	Subject: "Votre Pass numérique : 5 chèques de 10 € à utiliser avant le 31/12",
	Body: "Bonjour Léa,\n\nVotre carnet est prêt. Présentez-vous à la mission locale de Besançon, " +
		"elle vous remettra vos chèques (valeur totale : 50 €) et la liste des lieux labellisés près de chez vous.\n" +
		".Une ligne qui commence par un point\n\nÀ bientôt !\n",
}

// checkMessage parses raw as an RFC 5322 message and checks it carries sample.
func checkMessage(t *testing.T, raw []byte, wantFrom string) *netmail.Message {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("ReadMessage: %v\n%s", err, raw)
	}
	h := msg.Header
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(h.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	if subject != sample.Subject {
		t.Errorf("Subject = %q, want %q", subject, sample.Subject)
	}
	if raw := h.Get("Subject"); !strings.HasPrefix(raw, "=?utf-8?q?") {
		t.Errorf("Subject not Q-encoded: %q", raw)
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != "Léa Martin" || to[0].Address != "lea.martin@example.fr" {
		t.Errorf("To = %v (%v)", to, err)
	}
	from, err := h.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Address != wantFrom {
		t.Errorf("From = %v (%v), want %s", from, err, wantFrom)
	}
	if d, err := h.Date(); err != nil || time.Since(d) > time.Minute || time.Since(d) < -time.Minute {
		t.Errorf("Date = %v (%v)", d, err)
	}
	if !regexp.MustCompile(`^<[^<>@\s]+@[^<>@\s]+>$`).MatchString(h.Get("Message-ID")) {
		t.Errorf("Message-ID = %q", h.Get("Message-ID"))
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "text/plain" || params["charset"] != "utf-8" {
		t.Errorf("Content-Type = %q", h.Get("Content-Type"))
	}
	if h.Get("Content-Transfer-Encoding") != "quoted-printable" || h.Get("MIME-Version") != "1.0" {
		t.Errorf("headers: %v", h)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.ReplaceAll(sample.Body, "\n", "\r\n")
	if string(body) != want {
		t.Errorf("body = %q, want %q", body, want)
	}
	// The raw message is 7-bit, with CRLF line endings and short lines.
	lines := strings.Split(strings.TrimSuffix(string(raw), "\r\n"), "\r\n")
	inSubject := false
	for i, line := range lines {
		if strings.HasPrefix(line, "Subject:") {
			inSubject = true
		} else if !strings.HasPrefix(line, " ") {
			inSubject = false
		}
		// Encoded-words are at most 75 characters (RFC 2047), one per line.
		if inSubject && len(strings.TrimSpace(strings.TrimPrefix(line, "Subject:"))) > 75 {
			t.Errorf("subject line %q: encoded-word longer than 75 characters", line)
		}
		if strings.Contains(line, "\n") {
			t.Fatalf("line %d has a bare LF", i)
		}
		if len(line) > 998 {
			t.Errorf("line %d too long", i)
		}
		for _, c := range []byte(line) {
			if c >= 0x80 {
				t.Fatalf("line %d is not 7-bit: %q", i, line)
			}
		}
	}
	return msg
}

func TestOutbox(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	o := Outbox{Dir: dir, From: "Pass numérique <ne-pas-repondre@passnum.example>"}
	for range 2 {
		if err := o.Send(context.Background(), sample); err != nil {
			t.Fatal(err)
		}
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Errorf("dir mode %o, want 700", perm)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("got %d files, want 2 (no temporary file left)", len(entries))
	}
	name := regexp.MustCompile(`^\d{8}T\d{6}\.\d{9}Z-[0-9a-f]{12}\.eml$`)
	var ids []string
	for _, e := range entries {
		if !name.MatchString(e.Name()) {
			t.Errorf("unexpected file name %q", e.Name())
		}
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if perm := info.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s: mode %o, want 600", e.Name(), perm)
		}
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		msg := checkMessage(t, raw, "ne-pas-repondre@passnum.example")
		ids = append(ids, msg.Header.Get("Message-ID"))
	}
	if ids[0] == ids[1] {
		t.Error("two messages share a Message-ID")
	}
}

func TestOutboxDefaultFrom(t *testing.T) {
	dir := t.TempDir()
	if err := (Outbox{Dir: dir}).Send(context.Background(), sample); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("got %d files", len(entries))
	}
	raw, _ := os.ReadFile(filepath.Join(dir, entries[0].Name()))
	checkMessage(t, raw, "ne-pas-repondre@localhost")
}

func TestOutboxCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := filepath.Join(t.TempDir(), "x")
	if err := (Outbox{Dir: dir}).Send(ctx, sample); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Error("directory created despite cancellation")
	}
}

func TestHeaderInjection(t *testing.T) {
	dir := t.TempDir()
	o := Outbox{Dir: dir}
	s := SMTP{Addr: "127.0.0.1:1", From: "a@example.fr"} // never dialled
	for _, m := range []Message{
		{To: "lea@example.fr\r\nBcc: victime@example.com", Subject: "x", Body: "x"},
		{To: "lea@example.fr\nBcc: victime@example.com", Subject: "x", Body: "x"},
		{To: "lea@example.fr", Subject: "Bonjour\r\nBcc: victime@example.com", Body: "x"},
		{To: "lea@example.fr", Subject: "Bonjour\rX-Spam: oui", Body: "x"},
	} {
		if err := m.Validate(); !errors.Is(err, ErrHeaderInjection) {
			t.Errorf("Validate(%q, %q) = %v", m.To, m.Subject, err)
		}
		if err := o.Send(context.Background(), m); !errors.Is(err, ErrHeaderInjection) {
			t.Errorf("Outbox.Send(%q, %q) = %v", m.To, m.Subject, err)
		}
		if err := s.Send(context.Background(), m); !errors.Is(err, ErrHeaderInjection) {
			t.Errorf("SMTP.Send(%q, %q) = %v", m.To, m.Subject, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("%d files written", len(entries))
	}
	bad := Outbox{Dir: dir, From: "a@example.fr\r\nBcc: x@example.com"}
	if err := bad.Send(context.Background(), sample); !errors.Is(err, ErrHeaderInjection) {
		t.Errorf("From injection: %v", err)
	}
	if !strings.Contains(ErrHeaderInjection.Error(), "en-tête") {
		t.Error("error message is not in French")
	}
}

func TestInvalidRecipient(t *testing.T) {
	o := Outbox{Dir: t.TempDir()}
	for _, to := range []string{"", "  ", "pas une adresse", "lea@"} {
		if err := o.Send(context.Background(), Message{To: to, Subject: "x"}); err == nil {
			t.Errorf("recipient %q accepted", to)
		}
	}
}

// fakeSMTP is a minimal SMTP server for one client at a time. It offers
// STARTTLS only when tlsConf is set, and AUTH PLAIN only when auth is set.
type fakeSMTP struct {
	ln      net.Listener
	tlsConf *tls.Config
	auth    bool

	mu       sync.Mutex
	from     []string
	rcpt     []string
	data     [][]byte
	authUser string
	authPass string
	usedTLS  bool
	done     chan struct{}
}

func newFakeSMTP(t *testing.T, tlsConf *tls.Config, auth bool) *fakeSMTP {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeSMTP{ln: ln, tlsConf: tlsConf, auth: auth, done: make(chan struct{})}
	go s.serve()
	t.Cleanup(func() { ln.Close(); <-s.done })
	return s
}

func (s *fakeSMTP) serve() {
	defer close(s.done)
	var wg sync.WaitGroup
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			wg.Wait()
			return
		}
		wg.Add(1)
		go func() { defer wg.Done(); s.handle(conn) }()
	}
}

func (s *fakeSMTP) handle(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	tp := textproto.NewConn(conn)
	tp.PrintfLine("220 fake.example ESMTP")
	secure := false
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			ext := []string{"fake.example", "8BITMIME"}
			if s.tlsConf != nil && !secure {
				ext = append(ext, "STARTTLS")
			}
			if s.auth {
				ext = append(ext, "AUTH PLAIN")
			}
			for i, e := range ext {
				sep := "-"
				if i == len(ext)-1 {
					sep = " "
				}
				tp.PrintfLine("250%s%s", sep, e)
			}
		case "STARTTLS":
			tp.PrintfLine("220 go ahead")
			tc := tls.Server(conn, s.tlsConf)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, secure = tc, true
			tp = textproto.NewConn(tc)
			s.mu.Lock()
			s.usedTLS = true
			s.mu.Unlock()
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			raw, err := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(raw), "\x00")
			if mech != "PLAIN" || err != nil || len(parts) != 3 {
				tp.PrintfLine("535 bad credentials")
				continue
			}
			s.mu.Lock()
			s.authUser, s.authPass = parts[1], parts[2]
			s.mu.Unlock()
			tp.PrintfLine("235 ok")
		case "MAIL":
			s.mu.Lock()
			s.from = append(s.from, arg)
			s.mu.Unlock()
			tp.PrintfLine("250 ok")
		case "RCPT":
			s.mu.Lock()
			s.rcpt = append(s.rcpt, arg)
			s.mu.Unlock()
			tp.PrintfLine("250 ok")
		case "DATA":
			tp.PrintfLine("354 end with <CRLF>.<CRLF>")
			// Read the raw lines (keeping CRLF) and undo dot-stuffing by hand,
			// to check exactly what went over the wire.
			var buf bytes.Buffer
			r := bufio.NewReader(tp.R)
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				buf.WriteString(strings.TrimPrefix(l, "."))
			}
			tp.R = r
			s.mu.Lock()
			s.data = append(s.data, buf.Bytes())
			s.mu.Unlock()
			tp.PrintfLine("250 queued")
		case "RSET", "NOOP":
			tp.PrintfLine("250 ok")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		default:
			tp.PrintfLine("502 not implemented")
		}
	}
}

func TestSMTP(t *testing.T) {
	srv := newFakeSMTP(t, nil, false)
	s := SMTP{Addr: srv.ln.Addr().String(), From: "Pass numérique <ne-pas-repondre@passnum.example>"}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Send(ctx, sample); err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.data) != 1 {
		t.Fatalf("server received %d messages", len(srv.data))
	}
	if !strings.HasPrefix(srv.from[0], "FROM:<ne-pas-repondre@passnum.example>") || srv.rcpt[0] != "TO:<lea.martin@example.fr>" {
		t.Errorf("envelope: MAIL %q RCPT %q", srv.from[0], srv.rcpt[0])
	}
	checkMessage(t, srv.data[0], "ne-pas-repondre@passnum.example")
	if srv.usedTLS {
		t.Error("TLS used although not offered")
	}
}

func TestSMTPAuthRequiresServerSupport(t *testing.T) {
	srv := newFakeSMTP(t, nil, false)
	s := SMTP{Addr: srv.ln.Addr().String(), From: "a@passnum.example", Username: "u", Password: "p"}
	err := s.Send(context.Background(), sample)
	if err == nil || !strings.Contains(err.Error(), "authentification") {
		t.Fatalf("got %v", err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.data) != 0 {
		t.Error("message sent without authentication")
	}
}

func TestSMTPStartTLSAndAuth(t *testing.T) {
	serverConf, clientConf := testTLS(t)
	srv := newFakeSMTP(t, serverConf, true)
	s := SMTP{Addr: srv.ln.Addr().String(), From: "a@passnum.example", Username: "mission-locale", Password: "s3cret", tlsConfig: clientConf}
	if err := s.Send(context.Background(), sample); err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if !srv.usedTLS {
		t.Error("STARTTLS not used although offered")
	}
	if srv.authUser != "mission-locale" || srv.authPass != "s3cret" {
		t.Errorf("auth %q/%q", srv.authUser, srv.authPass)
	}
	if len(srv.data) != 1 {
		t.Fatalf("server received %d messages", len(srv.data))
	}
	checkMessage(t, srv.data[0], "a@passnum.example")
}

func TestSMTPContextCancel(t *testing.T) {
	// A server that accepts and never greets.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			defer c.Close()
			io.Copy(io.Discard, c)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = SMTP{Addr: ln.Addr().String(), From: "a@passnum.example"}.Send(ctx, sample)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want a deadline error", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("Send took %v", time.Since(start))
	}
}

func testTLS(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "fake smtp"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	client = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	return server, client
}

func TestNew(t *testing.T) {
	dir := t.TempDir()
	s, err := New(Config{OutboxDir: dir, From: "a@passnum.example"})
	if err != nil {
		t.Fatal(err)
	}
	if o, ok := s.(Outbox); !ok || o.Dir != dir || o.From != "a@passnum.example" {
		t.Errorf("got %#v", s)
	}

	s, err = New(Config{SMTPURL: "smtp://user%40x:p%3Ass@mail.example.fr:2525", From: "a@passnum.example", OutboxDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	want := SMTP{Addr: "mail.example.fr:2525", From: "a@passnum.example", Username: "user@x", Password: "p:ss"}
	if got, ok := s.(SMTP); !ok || got != want {
		t.Errorf("got %#v, want %#v", s, want)
	}

	s, err = New(Config{SMTPURL: "smtp://mail.example.fr", From: "a@passnum.example"})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.(SMTP); got.Addr != "mail.example.fr:587" || got.Username != "" || got.TLS {
		t.Errorf("got %#v", got)
	}
	s, err = New(Config{SMTPURL: "smtps://mail.example.fr", From: "a@passnum.example"})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.(SMTP); got.Addr != "mail.example.fr:465" || !got.TLS {
		t.Errorf("got %#v", got)
	}

	for name, cfg := range map[string]Config{
		"nothing":     {},
		"no dir":      {From: "a@passnum.example", OutboxDir: "  "},
		"bad scheme":  {SMTPURL: "http://mail.example.fr", From: "a@passnum.example"},
		"no host":     {SMTPURL: "smtp://", From: "a@passnum.example"},
		"no from":     {SMTPURL: "smtp://mail.example.fr"},
		"bad from":    {OutboxDir: dir, From: "pas une adresse"},
		"inject from": {OutboxDir: dir, From: "a@passnum.example\r\nBcc: b@example.com"},
		"unparseable": {SMTPURL: "smtp://u:p@[::1", From: "a@passnum.example"},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		} else if name == "unparseable" && strings.Contains(err.Error(), "u:p") {
			t.Errorf("error leaks the password: %v", err)
		}
	}
	_, err = New(Config{})
	if err == nil || !strings.Contains(err.Error(), "boîte d'envoi") {
		t.Errorf("unclear error: %v", err)
	}
}
