package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// SMTP sends messages through an SMTP server (submission, port 587). The
// connection is upgraded with STARTTLS whenever the server offers it; with
// TLS set, the connection is TLS from the start (smtps, port 465). When
// Username is set, the client authenticates with AUTH PLAIN, which net/smtp
// only allows over TLS or to localhost.
type SMTP struct {
	Addr     string // host:port
	From     string
	Username string
	Password string
	TLS      bool // implicit TLS (smtps) instead of STARTTLS

	tlsConfig *tls.Config // tests only
}

// defaultTimeout bounds a whole send when ctx has no deadline.
const defaultTimeout = 30 * time.Second

// Send delivers one message. ctx bounds the whole SMTP conversation.
func (s SMTP) Send(ctx context.Context, m Message) error {
	env, err := format(s.From, m, time.Now())
	if err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fmt.Errorf("mail : adresse du serveur SMTP invalide %q : %w", s.Addr, err)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultTimeout)
		defer cancel()
	}
	tlsConf := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if s.tlsConfig != nil {
		tlsConf = s.tlsConfig
	}

	conn, err := s.dial(ctx, tlsConf)
	if err != nil {
		return err
	}
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	// Abort a blocked conversation when ctx is cancelled.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return s.wrap(ctx, "accueil", err)
	}
	defer c.Close()
	return s.converse(ctx, c, host, tlsConf, env)
}

// dial connects to the server, in TLS from the first byte when s.TLS.
func (s SMTP) dial(ctx context.Context, tlsConf *tls.Config) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return nil, fmt.Errorf("mail : connexion au serveur SMTP %s : %w", s.Addr, err)
	}
	if !s.TLS {
		return conn, nil
	}
	tc := tls.Client(conn, tlsConf)
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("mail : connexion TLS au serveur SMTP %s : %w", s.Addr, err)
	}
	return tc, nil
}

// converse is the SMTP conversation once connected: STARTTLS when the
// server offers it (and the connection is not TLS already), the login
// when there is one, then the envelope and the message.
func (s SMTP) converse(ctx context.Context, c *smtp.Client, host string, tlsConf *tls.Config, env *envelope) error {
	if !s.TLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsConf); err != nil {
				return s.wrap(ctx, "STARTTLS", err)
			}
		}
	}
	if s.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return fmt.Errorf("mail : le serveur SMTP %s ne propose pas d'authentification", s.Addr)
		}
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return s.wrap(ctx, "authentification", err)
		}
	}
	if err := c.Mail(env.from); err != nil {
		return s.wrap(ctx, "expéditeur", err)
	}
	if err := c.Rcpt(env.to); err != nil {
		return s.wrap(ctx, "destinataire", err)
	}
	w, err := c.Data()
	if err != nil {
		return s.wrap(ctx, "DATA", err)
	}
	if _, err := w.Write(env.data); err != nil {
		return s.wrap(ctx, "envoi du message", err)
	}
	if err := w.Close(); err != nil {
		return s.wrap(ctx, "envoi du message", err)
	}
	// The message was accepted; a failed QUIT does not undo it.
	_ = c.Quit()
	return nil
}

func (s SMTP) wrap(ctx context.Context, step string, err error) error {
	// The connection deadline is the context's: it may fire just before
	// the context itself reports being done.
	if ctxErr := ctx.Err(); ctxErr != nil {
		err = errors.Join(ctxErr, err)
	} else if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		err = errors.Join(context.DeadlineExceeded, err)
	}
	return fmt.Errorf("mail : SMTP %s (%s) : %w", s.Addr, step, err)
}

// Config selects the Sender built by New.
type Config struct {
	SMTPURL   string // smtp://user:pass@host:587 or smtps://user:pass@host:465
	From      string // sender address, e.g. "Pass numérique <ne-pas-repondre@example.fr>"
	OutboxDir string // used when SMTPURL is empty
}

// New returns an SMTP sender when SMTPURL is set, an Outbox otherwise.
func New(cfg Config) (Sender, error) {
	if cfg.From != "" {
		if _, err := parseAddress(cfg.From); err != nil {
			return nil, fmt.Errorf("mail : adresse d'expéditeur invalide %q : %w", cfg.From, err)
		}
	}
	if cfg.SMTPURL == "" {
		if strings.TrimSpace(cfg.OutboxDir) == "" {
			return nil, errors.New("mail : ni serveur SMTP (SMTPURL) ni répertoire de boîte d'envoi (OutboxDir) configuré")
		}
		return Outbox{Dir: cfg.OutboxDir, From: cfg.From}, nil
	}
	u, err := url.Parse(cfg.SMTPURL)
	if err != nil {
		// Do not echo the URL: it may hold a password.
		return nil, errors.New("mail : URL SMTP invalide")
	}
	s := SMTP{From: cfg.From}
	port := "587"
	switch u.Scheme {
	case "smtp":
	case "smtps":
		s.TLS, port = true, "465"
	default:
		return nil, fmt.Errorf("mail : schéma d'URL SMTP non pris en charge %q (smtp ou smtps attendu)", u.Scheme)
	}
	host := u.Hostname()
	if host == "" {
		return nil, errors.New("mail : URL SMTP sans nom d'hôte")
	}
	if p := u.Port(); p != "" {
		port = p
	}
	s.Addr = net.JoinHostPort(host, port)
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	if s.From == "" {
		return nil, errors.New("mail : adresse d'expéditeur (From) manquante pour l'envoi SMTP")
	}
	return s, nil
}
