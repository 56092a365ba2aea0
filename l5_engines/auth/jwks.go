package auth

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
)

// minRSABits is the smallest RSA modulus accepted for a signature; shorter
// keys are forgeable in practice.
const minRSABits = 2048

// keySource finds the key that verifies a token, by the token's kid.
type keySource interface {
	keyFor(ctx context.Context, token *jwt.Token) (any, error)
}

// keySet is one parsed JWKS: the signature keys that carry a kid.
type keySet struct {
	kf   keyfunc.Keyfunc
	keys int // usable keys
}

// parseJWKS reads a JWKS document. Keys of a type this package cannot use
// (say an OKP key next to the RSA ones) are skipped, keys without a kid are
// skipped because a key is only ever chosen by kid, and a malformed key
// rejects the whole document so that a broken publication never half-applies.
func parseJWKS(raw []byte) (*keySet, error) {
	var doc jwkset.JWKSMarshal
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("decode JWKS: %w", err)
	}
	store := jwkset.NewMemoryStorage()
	usable := 0
	for i, m := range doc.Keys {
		jwk, err := jwkset.NewJWKFromMarshal(m, jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
		switch {
		case errors.Is(err, jwkset.ErrUnsupportedKey):
			continue
		case err != nil:
			return nil, fmt.Errorf("JWKS key %d: %w", i, err)
		case m.KID == "":
			continue
		}
		if err := store.KeyWrite(context.Background(), jwk); err != nil {
			return nil, fmt.Errorf("store JWKS key %d: %w", i, err)
		}
		usable++
	}
	if usable == 0 {
		return nil, errors.New("JWKS holds no usable signature key with a kid")
	}
	kf, err := keyfunc.New(keyfunc.Options{Storage: store, UseWhitelist: []jwkset.USE{jwkset.UseSig, ""}})
	if err != nil {
		return nil, fmt.Errorf("build JWKS key lookup: %w", err)
	}
	return &keySet{kf: kf, keys: usable}, nil
}

// keyFor returns the public key named by the token's kid. keyfunc also
// refuses a key whose own alg differs from the token's, or whose use is not
// sig. A miss wraps jwkset.ErrKeyNotFound.
func (s *keySet) keyFor(ctx context.Context, token *jwt.Token) (any, error) {
	key, err := s.kf.KeyfuncCtx(ctx)(token)
	if err != nil {
		return nil, err
	}
	if rk, ok := key.(*rsa.PublicKey); ok && rk.N.BitLen() < minRSABits {
		return nil, fmt.Errorf("RSA key of %d bits is too short", rk.N.BitLen())
	}
	return key, nil
}
