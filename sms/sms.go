// Package sms sends text messages. No SMS provider is reachable from here:
// Outbox writes each message to a file, as the mail package does for
// e-mail, and a provider is plugged by implementing Sender (see
// docs/deployment.md).
package sms

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
)

// Sender sends one text message to a mobile number.
type Sender interface {
	Send(ctx context.Context, to, text string) error
}

// Outbox writes each message as a text file in Dir: the number on the
// first line, then the text.
type Outbox struct{ Dir string }

var seq atomic.Int64

// ErrNumber is returned for a number that cannot be a French mobile one.
var ErrNumber = errors.New("sms : numéro de mobile attendu (06 ou 07, ou +33 6 / +33 7)")

// Normalise returns a French mobile number as +33XXXXXXXXX, or ErrNumber.
func Normalise(to string) (string, error) {
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r == '+' {
			return r
		}
		if r == ' ' || r == '.' || r == '-' {
			return -1
		}
		return 'x'
	}, to)
	switch {
	case strings.HasPrefix(d, "+33") && len(d) == 12:
		d = "0" + d[3:]
	case strings.HasPrefix(d, "0033") && len(d) == 13:
		d = "0" + d[4:]
	}
	if len(d) != 10 || (!strings.HasPrefix(d, "06") && !strings.HasPrefix(d, "07")) || strings.ContainsAny(d, "x+") {
		return "", ErrNumber
	}
	return "+33" + d[1:], nil
}

// Send writes the message.
func (o Outbox) Send(ctx context.Context, to, text string) error {
	n, err := Normalise(to)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return err
	}
	name := fmt.Sprintf("%s-%06d.sms", time.Now().UTC().Format("20060102T150405.000000000"), seq.Add(1))
	return os.WriteFile(filepath.Join(o.Dir, name), []byte(n+"\n"+text+"\n"), 0o600)
}
