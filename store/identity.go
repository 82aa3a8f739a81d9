package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"strconv"

	"passnum"
)

// The site's identity: the programme's name in the header and the
// funders' logos (see passnum.SiteIdentity). One row of settings, and the
// logos in the order they were added.

// SiteIdentity returns the name and the logos, without their bytes.
func (tx *Tx) SiteIdentity(ctx context.Context) (passnum.SiteIdentity, error) {
	id := passnum.SiteIdentity{Name: passnum.DefaultSiteName}
	var at int64
	err := tx.queryRow(ctx, `SELECT name, updated_at FROM site_identity WHERE id = 1`).Scan(&id.Name, &at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return id, err
	default:
		id.UpdatedAt = fromMicros(at)
	}
	rows, err := tx.query(ctx, `SELECT id, name, content_type, width, height, size, created_at FROM funder_logos ORDER BY position`)
	if err != nil {
		return id, err
	}
	defer rows.Close()
	for rows.Next() {
		var l passnum.Logo
		var created int64
		if err := rows.Scan(&l.ID, &l.Name, &l.ContentType, &l.Width, &l.Height, &l.Size, &created); err != nil {
			return id, err
		}
		l.CreatedAt = fromMicros(created)
		id.Logos = append(id.Logos, l)
	}
	return id, rows.Err()
}

// SetSiteName changes the name shown in the header of every page.
func (tx *Tx) SetSiteName(ctx context.Context, actor passnum.Actor, name string) (string, error) {
	name, err := passnum.CheckSiteName(name)
	if err != nil {
		return "", err
	}
	if _, err := tx.exec(ctx, `INSERT INTO site_identity (id, name, updated_at) VALUES (1, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at`, name, micros(tx.now)); err != nil {
		return "", err
	}
	return name, tx.audit(ctx, actor, "site.rename", "site", "identity", "", nil)
}

// AddLogo checks a funder's logo and adds it after the others. At most
// passnum.MaxLogos are kept: one conditional INSERT counts and writes, and
// the unique position refuses a second logo written at the same moment.
func (tx *Tx) AddLogo(ctx context.Context, actor passnum.Actor, name string, data []byte) (passnum.Logo, error) {
	name, nameErr := passnum.CheckLogoName(name)
	f, fileErr := passnum.CheckLogo(data)
	if err := joinInvalid(nameErr, fileErr); err != nil {
		return passnum.Logo{}, err
	}
	l := passnum.Logo{ID: passnum.NewID(tx.now), Name: name, ContentType: f.ContentType, Width: f.Width, Height: f.Height, Size: len(f.Data), CreatedAt: tx.now}
	res, err := tx.exec(ctx, `INSERT INTO funder_logos (id, name, content_type, data, size, width, height, position, created_at)
		SELECT ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM funder_logos), ?
		WHERE (SELECT COUNT(*) FROM funder_logos) < ?`,
		l.ID, l.Name, l.ContentType, base64.StdEncoding.EncodeToString(f.Data), l.Size, l.Width, l.Height, micros(tx.now), passnum.MaxLogos)
	if err != nil {
		return l, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return l, passnum.Errorf(passnum.ECONFLICT, "Le site montre déjà %d logos, le plus qu'il puisse : retirez-en un avant d'en ajouter un autre.", passnum.MaxLogos)
	}
	return l, tx.audit(ctx, actor, "logo.add", "logo", l.ID, "", map[string]any{"content_type": l.ContentType, "size": l.Size})
}

// joinInvalid puts the field errors of several validations into one.
func joinInvalid(errs ...error) error {
	var fe passnum.FieldErrors
	for _, err := range errs {
		var pe *passnum.Error
		switch {
		case err == nil:
		case errors.As(err, &pe) && pe.Code == passnum.EINVALID:
			fe = append(fe, pe.Fields...)
		default:
			return err
		}
	}
	return fe.Err()
}

// RemoveLogo takes a logo off the site, the booklets printed from now on
// and their cheques.
func (tx *Tx) RemoveLogo(ctx context.Context, actor passnum.Actor, id string) error {
	res, err := tx.exec(ctx, `DELETE FROM funder_logos WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return notFound("logo")
	}
	return tx.audit(ctx, actor, "logo.remove", "logo", id, "", nil)
}

// LogoFile returns a logo with its bytes.
func (tx *Tx) LogoFile(ctx context.Context, id string) (passnum.Logo, []byte, error) {
	var l passnum.Logo
	var data string
	var created int64
	err := tx.queryRow(ctx, `SELECT id, name, content_type, width, height, size, created_at, data FROM funder_logos WHERE id = ?`, id).
		Scan(&l.ID, &l.Name, &l.ContentType, &l.Width, &l.Height, &l.Size, &created, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return l, nil, notFound("logo")
	}
	if err != nil {
		return l, nil, err
	}
	l.CreatedAt = fromMicros(created)
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return l, nil, errors.New("logo " + l.ID + ": stored bytes unreadable (" + strconv.Itoa(len(data)) + " characters): " + err.Error())
	}
	return l, b, nil
}
