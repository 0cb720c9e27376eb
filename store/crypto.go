package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the size of a secrets key: AES-256.
const KeySize = 32

// ErrBadKey reports a secrets key that is not KeySize bytes, or not in one of
// the encodings ParseKey reads.
var ErrBadKey = errors.New("store: a secrets key is 32 bytes, written in base64 or hex")

// ErrWrongKey reports a database whose secrets were encrypted with another
// key than the one given.
var ErrWrongKey = errors.New("store: the secrets key does not match the one the database was created with")

// Cipher encrypts secret values at rest with AES-256-GCM. Each value gets a
// fresh random nonce, and is bound to its hook and name (as additional data),
// so a ciphertext copied to another secret's row does not decrypt. A Cipher
// is safe for concurrent use.
type Cipher struct {
	aead cipher.AEAD
}

// NewCipher returns a Cipher using key, which must be KeySize bytes.
func NewCipher(key []byte) (*Cipher, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("%w (got %d bytes)", ErrBadKey, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Cipher{aead: aead}, nil
}

// GenerateKey returns a new random key.
func GenerateKey() []byte {
	k := make([]byte, KeySize)
	_, _ = rand.Read(k) // crypto/rand.Read never fails
	return k
}

// EncodeKey writes key in standard base64, the form ParseKey reads first.
func EncodeKey(key []byte) string { return base64.StdEncoding.EncodeToString(key) }

// ParseKey reads a key written in standard or URL-safe base64 (padded or
// not) or in hex, ignoring surrounding white space.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, dec := range []func(string) ([]byte, error){
		base64.StdEncoding.DecodeString,
		base64.RawStdEncoding.DecodeString,
		base64.URLEncoding.DecodeString,
		base64.RawURLEncoding.DecodeString,
		hex.DecodeString,
	} {
		if k, err := dec(s); err == nil && len(k) == KeySize {
			return k, nil
		}
	}
	return nil, ErrBadKey
}

// Seal encrypts plaintext bound to the additional data ad; the result holds
// the nonce followed by the ciphertext.
func (c *Cipher) Seal(plaintext, ad []byte) []byte {
	nonce := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(plaintext)+c.aead.Overhead())
	_, _ = rand.Read(nonce)
	return c.aead.Seal(nonce, nonce, plaintext, ad)
}

// Open decrypts what Seal returned for the same additional data.
func (c *Cipher) Open(sealed, ad []byte) ([]byte, error) {
	n := c.aead.NonceSize()
	if len(sealed) < n+c.aead.Overhead() {
		return nil, errors.New("store: sealed value too short")
	}
	return c.aead.Open(nil, sealed[:n], sealed[n:], ad)
}

// secretAD is the additional data binding a secret value to its hook and
// name.
func secretAD(hookID, name string) []byte {
	return []byte("hookengine secret\x00" + hookID + "\x00" + name)
}
