package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
)

// digestKeyFlag adds --digest-key with PASSNUM_DIGEST_KEY.
func digestKeyFlag(fs *flag.FlagSet) *string {
	return fs.String("digest-key", os.Getenv("PASSNUM_DIGEST_KEY"),
		"fichier de la clé privée qui signe l'empreinte quotidienne, créé s'il manque (droits 0600) ; la base n'en garde alors que la clé publique ; sans lui, la clé est gardée dans la base (PASSNUM_DIGEST_KEY)")
}

// loadDigestKey reads the Ed25519 key of the daily digests from path (PEM,
// PKCS #8), creating it readable by its owner only when it does not exist.
// A file others may read or write is refused: whoever reads it can sign a
// rewritten chain. An empty path gives nil: the key kept in the database.
func loadDigestKey(path string) (ed25519.PrivateKey, error) {
	if path == "" {
		return nil, nil
	}
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createDigestKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("fichier de clé de signature %s illisible : %w", path, err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("le fichier de clé de signature %s est accessible à d'autres que son propriétaire (droits %04o) : qui le lit peut signer une chaîne réécrite ; restreignez-le avec « chmod 600 %s »", path, perm, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("fichier de clé de signature %s illisible : %w", path, err)
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%s n'est pas une clé de signature (PEM « PRIVATE KEY » attendu) : donnez le fichier créé par passnum, ou un chemin qui n'existe pas encore pour en créer un", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	key, ok := k.(ed25519.PrivateKey)
	if err != nil || !ok {
		return nil, fmt.Errorf("%s ne contient pas une clé Ed25519 lisible : donnez le fichier créé par passnum, ou un chemin qui n'existe pas encore pour en créer un", path)
	}
	return key, nil
}

// createDigestKey makes a new key in a new file, 0600.
func createDigestKey(path string) (ed25519.PrivateKey, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("création du fichier de clé de signature %s impossible : %w", path, err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("écriture du fichier de clé de signature %s : %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("écriture du fichier de clé de signature %s : %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("écriture du fichier de clé de signature %s : %w", path, err)
	}
	return key, nil
}
