package integrations

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// secretBytes is the entropy of every generated secret.
const secretBytes = 32

// newSecret returns a random URL-safe secret of 256 bits. It never contains
// ':', so an integration key splits into exactly three parts.
func newSecret() string {
	b := make([]byte, secretBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret is the stored form of a secret.
func hashSecret(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// sameHash compares two hashes in constant time.
func sameHash(a, b []byte) bool {
	return subtle.ConstantTimeCompare(a, b) == 1
}
