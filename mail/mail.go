// Package mail sends the plain-text e-mails of the Pass numérique: through an
// SMTP server in production, or into an outbox directory of .eml files in
// development and tests.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
)

// Message is a plain-text UTF-8 e-mail.
type Message struct {
	To      string // "lea@example.fr" or "Léa Martin <lea@example.fr>"
	Subject string
	Body    string
}

// Sender sends messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// DefaultFrom is the sender of an Outbox whose From is empty.
const DefaultFrom = "Pass numérique <ne-pas-repondre@localhost>"

// ErrHeaderInjection is returned for a header field containing a line break.
var ErrHeaderInjection = errors.New("mail : retour à la ligne interdit dans un en-tête (tentative d'injection d'en-tête ?)")

// Validate checks the message: recipient present and well formed, no line
// break in the recipient or the subject.
func (m Message) Validate() error {
	_, err := m.parse()
	return err
}

func (m Message) parse() (*mail.Address, error) {
	if strings.ContainsAny(m.To, "\r\n") || strings.ContainsAny(m.Subject, "\r\n") {
		return nil, ErrHeaderInjection
	}
	if strings.TrimSpace(m.To) == "" {
		return nil, errors.New("mail : destinataire manquant")
	}
	to, err := parseAddress(m.To)
	if err != nil {
		return nil, fmt.Errorf("mail : adresse du destinataire invalide %q : %w", m.To, err)
	}
	return to, nil
}

func parseAddress(s string) (*mail.Address, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, ErrHeaderInjection
	}
	return mail.ParseAddress(s)
}

// envelope is a formatted message with its SMTP envelope addresses.
type envelope struct {
	from, to string // bare addresses
	id       string // Message-ID without angle brackets
	data     []byte // RFC 5322 message, CRLF line endings
}

// format builds the RFC 5322 message sent by SMTP and written by Outbox.
func format(from string, m Message, now time.Time) (*envelope, error) {
	to, err := m.parse()
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(from) == "" {
		return nil, errors.New("mail : adresse d'expéditeur manquante")
	}
	fromAddr, err := parseAddress(from)
	if err != nil {
		if errors.Is(err, ErrHeaderInjection) {
			return nil, err
		}
		return nil, fmt.Errorf("mail : adresse d'expéditeur invalide %q : %w", from, err)
	}
	domain := "localhost"
	if at := strings.LastIndexByte(fromAddr.Address, '@'); at >= 0 && at < len(fromAddr.Address)-1 {
		domain = fromAddr.Address[at+1:]
	}
	id := fmt.Sprintf("%d.%s@%s", now.UnixNano(), randomHex(8), domain)

	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", fromAddr.String())
	header("To", to.String())
	header("Subject", encodeSubject(m.Subject))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", "<"+id+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	// Line breaks (LF or CRLF) become CRLF; lines longer than 76 get soft breaks.
	if _, err := qp.Write([]byte(m.Body)); err != nil {
		return nil, fmt.Errorf("mail : encodage du message : %w", err)
	}
	if err := qp.Close(); err != nil {
		return nil, fmt.Errorf("mail : encodage du message : %w", err)
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	return &envelope{from: fromAddr.Address, to: to.Address, id: id, data: b.Bytes()}, nil
}

// encodeSubject MIME-encodes a non-ASCII subject, folding the line between
// encoded-words so that header lines stay short (RFC 2047 section 2).
func encodeSubject(s string) string {
	enc := mime.QEncoding.Encode("utf-8", s)
	if enc == s {
		return s
	}
	return strings.ReplaceAll(enc, "?= =?", "?=\r\n =?")
}

func randomHex(n int) string {
	buf := make([]byte, n)
	_, _ = rand.Read(buf) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(buf)
}
