package mail

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Outbox writes each message as an .eml file in Dir instead of sending it,
// for development, demonstrations and tests. Files are named
// "<UTC timestamp>-<random>.eml", so that a listing sorts them by date.
type Outbox struct {
	Dir  string
	From string // DefaultFrom when empty
}

// Send writes the message atomically (temporary file then rename). Dir is
// created with mode 0700 if needed; files have mode 0600.
func (o Outbox) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if o.Dir == "" {
		return errors.New("mail : répertoire de la boîte d'envoi non renseigné")
	}
	from := o.From
	if from == "" {
		from = DefaultFrom
	}
	now := time.Now()
	env, err := format(from, m, now)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return fmt.Errorf("mail : création de la boîte d'envoi : %w", err)
	}
	tmp, err := os.CreateTemp(o.Dir, ".tmp-*.eml")
	if err != nil {
		return fmt.Errorf("mail : écriture dans la boîte d'envoi : %w", err)
	}
	tmpName := tmp.Name()
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmpName)
		return fmt.Errorf("mail : écriture dans la boîte d'envoi : %w", err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := tmp.Write(env.data); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmpName)
		return fmt.Errorf("mail : écriture dans la boîte d'envoi : %w", err)
	}
	name := now.UTC().Format("20060102T150405.000000000Z") + "-" + randomHex(6) + ".eml"
	if err := os.Rename(tmpName, filepath.Join(o.Dir, name)); err != nil {
		os.Remove(tmpName)
		return fmt.Errorf("mail : écriture dans la boîte d'envoi : %w", err)
	}
	return nil
}
