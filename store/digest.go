package store

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
)

// Digest is the head of the chain of seals on one day, signed with the
// installation's Ed25519 key: what an outsider (the Région's accountant,
// a funder) keeps, so that rewriting the whole chain later is caught
// ("passnum check --digest FILE").
type Digest struct {
	Day       string `json:"day"`       // Paris day, 2026-03-10
	Seq       int64  `json:"seal"`      // the head seal's number, 0 before any
	Hash      string `json:"hash"`      // its hash (hex), "" before any
	PublicKey string `json:"publicKey"` // Ed25519, base64
	Signature string `json:"signature"` // over Message(), base64
}

// Message is what the signature signs.
func (d Digest) Message() []byte {
	return []byte("passnum-digest-v1\n" + d.Day + "\n" + strconv.FormatInt(d.Seq, 10) + "\n" + d.Hash + "\n")
}

// VerifySignature checks the digest's signature with its public key, or
// with publicKey (base64) when not empty: the one the keeper kept.
func (d Digest) VerifySignature(publicKey string) error {
	if publicKey == "" {
		publicKey = d.PublicKey
	}
	pk, err := base64.StdEncoding.DecodeString(publicKey)
	if err != nil || len(pk) != ed25519.PublicKeySize {
		return errors.New("clé publique illisible")
	}
	sig, err := base64.StdEncoding.DecodeString(d.Signature)
	if err != nil || !ed25519.Verify(pk, d.Message(), sig) {
		return errors.New("signature de l'empreinte invalide")
	}
	return nil
}

// signingKey returns the key that signs the digests: the store's
// DigestKey when given (the database then keeps only its public half),
// otherwise the installation's key kept in the database, made on first
// use (the demo's way).
func (tx *Tx) signingKey(ctx context.Context) (ed25519.PrivateKey, error) {
	var pub, priv string
	found, err := tx.firstRow(ctx, `SELECT public_key, private_key FROM seal_keys WHERE id = 1`, nil, &pub, &priv)
	if err != nil {
		return nil, err
	}
	if key := tx.s.digestKey; key != nil {
		return key, tx.keepPublicKeyOnly(ctx, key, found, pub, priv)
	}
	if found && priv == "" {
		return nil, errors.New("la clé de signature des empreintes est gardée hors de la base : donnez son fichier avec --digest-key FICHIER (ou PASSNUM_DIGEST_KEY)")
	}
	if !found {
		pub, key, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		if _, err := tx.exec(ctx, `INSERT INTO seal_keys (id, public_key, private_key, created_at) VALUES (1, ?, ?, ?)`,
			base64.StdEncoding.EncodeToString(pub), base64.StdEncoding.EncodeToString(key), micros(tx.now)); err != nil {
			return nil, err
		}
		return key, nil
	}
	b, err := base64.StdEncoding.DecodeString(priv)
	if err != nil || len(b) != ed25519.PrivateKeySize {
		return nil, errors.New("clé de signature des empreintes illisible")
	}
	return ed25519.PrivateKey(b), nil
}

// keepPublicKeyOnly records the file key's public half in seal_keys, the
// private half staying out of the database. A key made earlier in the
// database (an installation that started without the file) is replaced
// and its private half erased; the digests it signed keep their public key
// and stay verifiable. On PostgreSQL with the restricted grants
// (deploy/postgres-grants.sql) the server's role cannot do that
// replacement: the owner does it once.
func (tx *Tx) keepPublicKeyOnly(ctx context.Context, key ed25519.PrivateKey, found bool, pub, priv string) error {
	filePub := base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey))
	if !found {
		_, err := tx.exec(ctx, `INSERT INTO seal_keys (id, public_key, private_key, created_at) VALUES (1, ?, '', ?)`, filePub, micros(tx.now))
		return err
	}
	if pub == filePub && priv == "" {
		return nil
	}
	if _, err := tx.exec(ctx, `UPDATE seal_keys SET public_key = ?, private_key = '', created_at = ? WHERE id = 1`, filePub, micros(tx.now)); err != nil {
		return fmt.Errorf("la base garde une autre clé de signature des empreintes, que le fichier de clé doit remplacer : %w (avec les droits restreints de PostgreSQL, lancez une fois « passnum digest --digest-key FICHIER » avec le rôle propriétaire de la base)", err)
	}
	return nil
}

// DailyDigest returns today's digest, signing the current head when today
// has none yet; made reports whether it did (serve logs it then). Call
// Seal first for a head that covers everything written.
func (s *Store) DailyDigest(ctx context.Context) (d Digest, made bool, err error) {
	err = s.Write(ctx, func(tx *Tx) error {
		day := tx.Today().String()
		found, err := tx.firstRow(ctx, `SELECT day, seal_seq, hash, public_key, signature FROM seal_digests WHERE day = ?`, []any{day},
			&d.Day, &d.Seq, &d.Hash, &d.PublicKey, &d.Signature)
		if err != nil || found {
			return err
		}
		key, err := tx.signingKey(ctx)
		if err != nil {
			return err
		}
		seq, hash, _, err := tx.sealHead(ctx)
		if err != nil {
			return err
		}
		d = Digest{Day: day, Seq: seq, Hash: hash,
			PublicKey: base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey))}
		d.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(key, d.Message()))
		made = true
		_, err = tx.exec(ctx, `INSERT INTO seal_digests (day, seal_seq, hash, public_key, signature, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			d.Day, d.Seq, d.Hash, d.PublicKey, d.Signature, micros(tx.now))
		return err
	})
	if err != nil && s.dialect.uniqueViolation(err) {
		// Another instance signed today's first: read it.
		return s.DailyDigest(ctx)
	}
	return d, made, err
}

// ListDigests returns the daily digests, newest first, at most limit.
func (tx *Tx) ListDigests(ctx context.Context, limit int) ([]Digest, error) {
	rows, err := tx.query(ctx, `SELECT day, seal_seq, hash, public_key, signature FROM seal_digests ORDER BY day DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Digest
	for rows.Next() {
		var d Digest
		if err := rows.Scan(&d.Day, &d.Seq, &d.Hash, &d.PublicKey, &d.Signature); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// CheckDigest verifies a kept digest against the database: its signature,
// then that its head seal is still in the chain with the same hash. With
// Check (which verifies the chain from there on), a chain rewritten after
// the digest was kept is caught.
func (s *Store) CheckDigest(ctx context.Context, d Digest, publicKey string) error {
	if err := d.VerifySignature(publicKey); err != nil {
		return &Violation{Invariant: "digest", Message: "empreinte du " + d.Day + " : " + err.Error()}
	}
	if d.Seq == 0 {
		return nil
	}
	return s.View(ctx, func(tx *Tx) error {
		var hash string
		found, err := tx.firstRow(ctx, `SELECT hash FROM seals WHERE seq = ?`, []any{d.Seq}, &hash)
		if err != nil {
			return err
		}
		if !found {
			return violation("digest", "empreinte du %s : le sceau n° %d qu'elle désigne n'existe plus", d.Day, d.Seq)
		}
		if hash != d.Hash {
			return violation("digest", "empreinte du %s : le sceau n° %d a changé depuis (chaîne réécrite)", d.Day, d.Seq)
		}
		return nil
	})
}

// LatestDigest returns the newest daily digest; found is false before the
// first (serve signs one as soon as it starts).
func (tx *Tx) LatestDigest(ctx context.Context) (d Digest, found bool, err error) {
	found, err = tx.firstRow(ctx, `SELECT day, seal_seq, hash, public_key, signature FROM seal_digests ORDER BY day DESC LIMIT 1`, nil,
		&d.Day, &d.Seq, &d.Hash, &d.PublicKey, &d.Signature)
	return d, found, err
}
